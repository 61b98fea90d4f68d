import { requireApiUser } from '@/lib/auth/require-api-user';
import { respondForViewer } from '@/lib/db/read-refusal';
import { loadClock } from '@/lib/market/clock';
import { readDxyMinutesPerHour } from '@/lib/monitor/dxy-minutes-per-hour';

export const dynamic = 'force-dynamic';

/** The overview's sparkline: legacy and data_bars DXY minutes per hour, last 24 hours up to the clock's now. */
export async function GET() {
  const user = await requireApiUser();
  if (user instanceof Response) return user;
  return respondForViewer(async (database) => {
    const now = (await loadClock(database.sql)).now();
    return Response.json(await readDxyMinutesPerHour(database.sql, { now }), {
      headers: { 'cache-control': 'no-store' },
    });
  });
}
