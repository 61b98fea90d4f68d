import type { Metadata } from 'next';
import { MonitorLive } from '@/components/monitor-live';
import { PipelineSignalsPanel } from '@/components/pipeline-signals-panel';
import { ViewerReadRefused } from '@/components/viewer-read-refused';
import { requireUser } from '@/lib/auth/current-user';
import { readForViewer } from '@/lib/db/read-refusal';
import { toJson } from '@/lib/json';
import { loadClock } from '@/lib/market/clock';
import { readPipelineSignals, slackMinutesForSpeed } from '@/lib/monitor/pipeline-signals';
import { readMonitorState } from '@/lib/monitor/read-monitor-state';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Monitor · phase 8' };

export default async function MonitorPage() {
  const user = await requireUser();
  // A viewer's read: the read pool, behind the viewer read limit (lib/db/read-limit.ts).
  const read = await readForViewer(async ({ sql }) => {
    const clock = await loadClock(sql);
    const state = await readMonitorState(sql, { now: clock.now() });
    const signals = await readPipelineSignals(sql, {
      now: clock.now(),
      slackMinutes: slackMinutesForSpeed(clock.speed),
    });
    return { state, signals };
  });
  if (!read.ok) return <ViewerReadRefused title="Monitor: the 24-hour window (phase 8)" message={read.message} />;
  const { state, signals } = read.value;
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold">Monitor: the 24-hour window (phase 8)</h1>
        <p className="text-sm text-slate-600">
          One snapshot per clock hour, each check against its threshold. See the README, “On call”, for what each
          verdict means.
        </p>
      </div>
      <MonitorLive initial={toJson(state)} canWaive={user.roles.includes('approver')} />
      <PipelineSignalsPanel initial={toJson(signals)} />
    </div>
  );
}
