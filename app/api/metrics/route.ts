import { timingSafeEqual } from 'node:crypto';
import { getCurrentUser } from '@/lib/auth/current-user';
import { sessionExpiredResponse } from '@/lib/auth/require-api-user';
import { respondForViewer } from '@/lib/db/read-refusal';
import { loadClock } from '@/lib/market/clock';
import { readPipelineSignals, slackMinutesForSpeed } from '@/lib/monitor/pipeline-signals';
import { renderPipelineSignalsMetrics } from '@/lib/monitor/pipeline-signals-metrics';
import { readMonitorState } from '@/lib/monitor/read-monitor-state';
import { renderPrometheusMetrics } from '@/lib/runbook/read/prometheus-metrics';
import { readConsoleStatus } from '@/lib/runbook/read/read-console-status';
import { readSetting } from '@/lib/settings';

export const dynamic = 'force-dynamic';

/** A scraper authenticates with `Authorization: Bearer $CUTOVER_METRICS_TOKEN`; people with their session. */
function bearerMatches(request: Request): boolean {
  const token = readSetting('CUTOVER_METRICS_TOKEN');
  const given = request.headers.get('authorization')?.replace(/^Bearer\s+/i, '') ?? '';
  if (!token || given.length !== token.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(token));
}

export async function GET(request: Request) {
  if (!bearerMatches(request) && !(await getCurrentUser())) {
    // The same 401 as every other API route; a scraper only looks at the status.
    return sessionExpiredResponse('Sign in again, or send the metrics bearer token.');
  }
  return respondForViewer(async (database) => {
    const clock = await loadClock(database.sql);
    const [status, monitor, signals] = await Promise.all([
      readConsoleStatus(database),
      readMonitorState(database.sql, { now: clock.now() }),
      readPipelineSignals(database.sql, { now: clock.now(), slackMinutes: slackMinutesForSpeed(clock.speed) }),
    ]);
    return new Response(renderPrometheusMetrics(status, monitor) + renderPipelineSignalsMetrics(signals), {
      headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' },
    });
  });
}
