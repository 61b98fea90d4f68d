import { requireApiUser } from '@/lib/auth/require-api-user';
import { respondForViewer } from '@/lib/db/read-refusal';
import { loadClock } from '@/lib/market/clock';
import { readPipelineSignals, slackMinutesForSpeed } from '@/lib/monitor/pipeline-signals';

export const dynamic = 'force-dynamic';

/** The pipeline's own signals (aggregation cursors, writers' freshness, incidents), polled by the monitor page. */
export async function GET() {
  const user = await requireApiUser();
  if (user instanceof Response) return user;
  return respondForViewer(async (database) => {
    const clock = await loadClock(database.sql);
    const signals = await readPipelineSignals(database.sql, {
      now: clock.now(),
      slackMinutes: slackMinutesForSpeed(clock.speed),
    });
    return Response.json(signals, { headers: { 'cache-control': 'no-store' } });
  });
}
