import { getCurrentUser } from '@/lib/auth/current-user';
import { getReadDatabase } from '@/lib/db/connection';
import { loadClock } from '@/lib/market/clock';
import { readMonitorState } from '@/lib/monitor/read-monitor-state';

export const dynamic = 'force-dynamic';

/** The 24-hour window and its hourly snapshots, polled by the monitor page. */
export async function GET() {
  if (!(await getCurrentUser())) return Response.json({ error: 'Sign in required.' }, { status: 401 });
  const database = getReadDatabase();
  const clock = await loadClock(database.db);
  return Response.json(await readMonitorState(database.sql, { now: clock.now() }), {
    headers: { 'cache-control': 'no-store' },
  });
}
