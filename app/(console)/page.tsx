import type { Metadata } from 'next';
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
  return <OverviewLive initialStatus={toJson(status)} canOperate={user.roles.includes('operator')} />;
}
