import { requireApiUser } from '@/lib/auth/require-api-user';
import { respondForViewer } from '@/lib/db/read-refusal';
import { loadClock } from '@/lib/market/clock';
import { readMonitorState } from '@/lib/monitor/read-monitor-state';

export const dynamic = 'force-dynamic';

/** The 24-hour window and its hourly snapshots, polled by the monitor page. */
export async function GET() {
  const user = await requireApiUser();
  if (user instanceof Response) return user;
  return respondForViewer(async (database) => {
    const clock = await loadClock(database.sql);
    return Response.json(await readMonitorState(database.sql, { now: clock.now() }), {
      headers: { 'cache-control': 'no-store' },
    });
  });
}
