import type { Metadata } from 'next';
import Link from 'next/link';
import { OverviewLive } from '@/components/overview-live';
import { ViewerReadRefused } from '@/components/viewer-read-refused';
import { requireUser } from '@/lib/auth/current-user';
import { readForViewer } from '@/lib/db/read-refusal';
import { toJson } from '@/lib/json';
import { readDxyMinutesPerHour } from '@/lib/monitor/dxy-minutes-per-hour';
import { readConsoleStatus } from '@/lib/runbook/read/read-console-status';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Overview' };

export default async function OverviewPage() {
  const user = await requireUser();
  // A viewer's read: the read pool, behind the viewer read limit (lib/db/read-limit.ts).
  const read = await readForViewer(async (database) => {
    const status = await readConsoleStatus(database);
    return { status, minutesPerHour: await readDxyMinutesPerHour(database.sql, { now: status.now }) };
  });
  if (!read.ok) return <ViewerReadRefused title="Overview" message={read.message} />;
  const { status, minutesPerHour } = read.value;
  const migrationRun = status.runbook.migrationRun;
  return (
    <>
      <OverviewLive
        initialStatus={toJson(status)}
        initialMinutesPerHour={toJson(minutesPerHour)}
        canOperate={user.roles.includes('operator')}
      />
      {migrationRun ? (
        <p className="mt-4 text-sm">
          <Link className="text-sky-700 underline" href={`/runs/${migrationRun.id}/report`}>
            Migration report of run #{migrationRun.id}
          </Link>{' '}
          — a printable record of every phase, the 24 hours and the audit events.
        </p>
      ) : null}
    </>
  );
}
