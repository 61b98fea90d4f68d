/**
 * The runner's call into the pipeline alerts (lib/monitor/pipeline-alerts.ts, docs/operations.md
 * "Pipeline signals"): it supplies what only the runbook knows — whether the bridge works and
 * from where — and keeps a failing evaluation from stopping the tick (phase runs come after it).
 */
import type { Sql } from 'postgres';
import type { Clock } from '../market/clock';
import { type AlertEvaluation, evaluatePipelineAlerts } from '../monitor/pipeline-alerts';
import { signalThresholdsFromEnv, slackMinutesForSpeed } from '../monitor/pipeline-signals';
import { bridgeActive } from './bridge';
import { gapFillStart } from './copy-legacy';

async function bridgeScope(sql: Sql) {
  const migrationRunId = await bridgeActive(sql);
  if (migrationRunId === null) return null;
  const from = await gapFillStart(sql, { migrationRunId });
  return from ? { migrationRunId, from } : null;
}

/** Never throws: an evaluation that fails is returned as its message (the next tick tries again). */
export async function evaluatePipelineAlertsOnTick(
  sql: Sql,
  params: { clock: Clock },
): Promise<AlertEvaluation | { error: string }> {
  try {
    return await evaluatePipelineAlerts(sql, {
      now: params.clock.now(),
      thresholds: signalThresholdsFromEnv(),
      slackMinutes: slackMinutesForSpeed(params.clock.speed),
      bridge: await bridgeScope(sql),
    });
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
