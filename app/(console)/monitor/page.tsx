import type { Metadata } from 'next';
import { MonitorLive } from '@/components/monitor-live';
import { PipelineSignalsPanel } from '@/components/pipeline-signals-panel';
import { requireUser } from '@/lib/auth/current-user';
import { getDatabase } from '@/lib/db/connection';
import { toJson } from '@/lib/json';
import { loadClock } from '@/lib/market/clock';
import { readPipelineSignals, slackMinutesForSpeed } from '@/lib/monitor/pipeline-signals';
import { readMonitorState } from '@/lib/monitor/read-monitor-state';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Monitor · phase 8' };

export default async function MonitorPage() {
  const user = await requireUser();
  const database = getDatabase();
  const clock = await loadClock(database.sql);
  const state = await readMonitorState(database.sql, { now: clock.now() });
  const signals = await readPipelineSignals(database.sql, {
    now: clock.now(),
    slackMinutes: slackMinutesForSpeed(clock.speed),
  });
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
