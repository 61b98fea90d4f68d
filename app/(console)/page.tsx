import type { Metadata } from 'next';
import Link from 'next/link';
import { OverviewLive } from '@/components/overview-live';
import { requireUser } from '@/lib/auth/current-user';
import { getDatabase } from '@/lib/db/connection';
import { toJson } from '@/lib/json';
import { readConsoleStatus } from '@/lib/monitor/read-console-status';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Overview' };

export default async function OverviewPage() {
  const user = await requireUser();
  const status = await readConsoleStatus(getDatabase());
  const migrationRun = status.runbook.migrationRun;
  return (
    <>
      <OverviewLive initialStatus={toJson(status)} canOperate={user.roles.includes('operator')} />
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
