/**
 * The runner's call into the pipeline alerts (lib/monitor/pipeline-alerts.ts, docs/operations.md
 * "Pipeline signals"): it supplies what only the runbook knows — whether the bridge works and
 * from where — and keeps a failing evaluation from stopping the tick (phase runs come after it).
 */
import type { Sql } from 'postgres';
import type { Clock } from '../../market/clock';
import { type AlertEvaluation, evaluatePipelineAlerts } from '../../monitor/pipeline-alerts';
import { signalThresholdsFromEnv, slackMinutesForSpeed } from '../../monitor/pipeline-signals';
import { MINUTE_MS } from '../../time-units';
import { gapFillStart } from '../phases/shared/copy-legacy';
import { bridgeActive } from './bridge';

async function bridgeScope(sql: Sql) {
  const migrationRunId = await bridgeActive(sql);
  if (migrationRunId === null) return null;
  const from = await gapFillStart(sql, { migrationRunId });
  return from ? { migrationRunId, from } : null;
}

/**
 * The clock minute each connection pool last evaluated: the runner ticks about every second, the
 * signals move by the minute, so one evaluation per clock minute is enough (a fast rehearsal's
 * minutes pass quickly, and it is evaluated as often).
 */
const evaluatedMinute = new WeakMap<Sql, number>();

/** Never throws: an evaluation that fails is returned as its message (the next minute tries again). */
export async function evaluatePipelineAlertsOnTick(
  sql: Sql,
  params: { clock: Clock },
): Promise<AlertEvaluation | { error: string } | null> {
  const now = params.clock.now();
  const minute = Math.floor(now.getTime() / MINUTE_MS);
  if (evaluatedMinute.get(sql) === minute) return null;
  evaluatedMinute.set(sql, minute);
  try {
    return await evaluatePipelineAlerts(sql, {
      now,
      thresholds: signalThresholdsFromEnv(),
      slackMinutes: slackMinutesForSpeed(params.clock.speed),
      bridge: await bridgeScope(sql),
    });
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
