import { requireApiUser } from '@/lib/auth/require-api-user';
import { getReadDatabase } from '@/lib/db/connection';
import { loadClock } from '@/lib/market/clock';
import { readMonitorState } from '@/lib/monitor/read-monitor-state';

export const dynamic = 'force-dynamic';

/** The 24-hour window and its hourly snapshots, polled by the monitor page. */
export async function GET() {
  const user = await requireApiUser();
  if (user instanceof Response) return user;
  const database = getReadDatabase();
  const clock = await loadClock(database.sql);
  return Response.json(await readMonitorState(database.sql, { now: clock.now() }), {
    headers: { 'cache-control': 'no-store' },
  });
}
