/**
 * The pipeline signals (./pipeline-signals.ts) in Prometheus text format, appended to GET
 * /api/metrics: each aggregation cursor's lag and state, each writer's minutes behind, and the open
 * incidents by kind — so an alerting rule can watch them too.
 */
import type { PipelineSignals } from './pipeline-signals';
import type { CursorState } from './pipeline-signals-cursors';
import type { IncidentKind } from './pipeline-signals-incidents';

const CURSOR_STATES: readonly CursorState[] = ['ok', 'stalled', 'hard_failed', 'disabled', 'erroring', 'not-judged'];
const INCIDENT_KINDS: readonly IncidentKind[] = ['cursor-stalled', 'bridge-lag', 'phase-failed', 'run-waiting'];

function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function sample(name: string, labels: Record<string, string>, value: number | null): string {
  const text = Object.entries(labels)
    .map(([k, v]) => `${k}="${label(v)}"`)
    .join(',');
  return `${name}{${text}} ${value === null || !Number.isFinite(value) ? 'NaN' : value}`;
}

export function renderPipelineSignalsMetrics(signals: PipelineSignals): string {
  const lines: string[] = [];
  const metric = (name: string, help: string, samples: string[]) =>
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, ...samples);
  // Only the DXY family is judged; other symbols' tasks appear once something is wrong with them.
  const tasks = signals.cursors.tasks.filter((t) => t.state !== 'not-judged');
  metric(
    'dxy_cutover_agg_cursor_lag_minutes',
    'Open-market minutes an aggregation cursor trails the data frontier',
    tasks.map((t) =>
      sample('dxy_cutover_agg_cursor_lag_minutes', { symbol: t.symbol, timeframe: t.timeframe }, t.lagMinutes),
    ),
  );
  metric(
    'dxy_cutover_agg_cursor_allowed_lag_minutes',
    'The lag beyond which a cursor counts as stalled',
    tasks.map((t) =>
      sample(
        'dxy_cutover_agg_cursor_allowed_lag_minutes',
        { symbol: t.symbol, timeframe: t.timeframe },
        t.allowedLagMinutes,
      ),
    ),
  );
  metric(
    'dxy_cutover_agg_cursor_state',
    'One-hot state of each judged aggregation task (ok, stalled, hard_failed, disabled, erroring)',
    tasks.flatMap((t) =>
      CURSOR_STATES.filter((s) => s !== 'not-judged').map((state) =>
        sample(
          'dxy_cutover_agg_cursor_state',
          { symbol: t.symbol, timeframe: t.timeframe, state },
          t.state === state ? 1 : 0,
        ),
      ),
    ),
  );
  metric(
    'dxy_cutover_writer_minutes_behind',
    "Open-market minutes a writer's latest bar is behind (market-hours aware)",
    signals.writers.map((w) =>
      sample(
        'dxy_cutover_writer_minutes_behind',
        { series: w.label, table: w.table, writer: w.writer, state: w.state },
        w.minutesBehind,
      ),
    ),
  );
  metric(
    'dxy_cutover_pipeline_incidents_open',
    'Open pipeline incidents by kind (each alerted once)',
    INCIDENT_KINDS.map((kind) =>
      sample(
        'dxy_cutover_pipeline_incidents_open',
        { kind },
        signals.incidents.filter((i) => i.kind === kind && i.closedAt === null).length,
      ),
    ),
  );
  return `${lines.join('\n')}\n`;
}
