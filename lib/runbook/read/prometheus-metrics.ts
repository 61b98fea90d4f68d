/**
 * GET /api/metrics in Prometheus text format: the latest snapshot's figures, the window, each
 * phase's state, the active run and the copy's progress, and the DXY row counts.
 */

import type { MonitorState } from '../../monitor/read-monitor-state';
import { phaseId } from '../phases';
import type { ConsoleStatus } from './read-console-status';

const VERDICT_VALUE = { PASS: 0, WARN: 1, FAIL: 2 } as const;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(values: Record<string, string>): string {
  const entries = Object.entries(values);
  return entries.length === 0 ? '' : `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

class MetricsWriter {
  private readonly lines: string[] = [];
  metric(
    name: string,
    help: string,
    type: 'gauge' | 'counter',
    samples: { labels?: Record<string, string>; value: number }[],
  ) {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const sample of samples)
      this.lines.push(`${name}${labels(sample.labels ?? {})} ${Number.isFinite(sample.value) ? sample.value : 'NaN'}`);
  }
  toString() {
    return `${this.lines.join('\n')}\n`;
  }
}

export function renderPrometheusMetrics(status: ConsoleStatus, monitor: MonitorState): string {
  const out = new MetricsWriter();
  if (status.counts) {
    out.metric('dxy_cutover_dxy_rows', 'DXY rows by table and state', 'gauge', [
      { labels: { table: 'data_bars', timeframe: '1m', state: 'active' }, value: status.counts.dataBars1m },
      {
        labels: { table: 'derived_data_bars', timeframe: '1m', state: 'active' },
        value: status.counts.derivedActive1m,
      },
      {
        labels: { table: 'derived_data_bars', timeframe: '1m', state: 'soft_deleted' },
        value: status.counts.derivedSoftDeleted1m,
      },
      { labels: { table: 'derived_data_bars', timeframe: '5m', state: 'active' }, value: status.counts.derived5m },
      { labels: { table: 'derived_data_bars', timeframe: '1h', state: 'active' }, value: status.counts.derived1h },
    ]);
  }
  out.metric(
    'dxy_cutover_series_minutes_behind',
    'Minutes between the expected latest 1m bar and the latest present (market-hours aware)',
    'gauge',
    status.freshness.map((f) => ({
      labels: { series: f.label, state: f.state },
      value: f.minutesBehind ?? Number.NaN,
    })),
  );
  out.metric(
    'dxy_cutover_phase_state',
    'One-hot state of each plan step in the current migration run',
    'gauge',
    status.runbook.steps.map((s) => ({ labels: { phase: s.id, state: s.state }, value: 1 })),
  );
  const active = status.runbook.activeRun;
  out.metric('dxy_cutover_active_run', 'The active phase run (1 while one exists)', 'gauge', [
    { labels: active ? { phase: active.phase, status: active.status } : {}, value: active ? 1 : 0 },
  ]);
  const copy = status.runbook.steps.find((s) => s.id === phaseId('4'))?.latest?.progress ?? {};
  out.metric('dxy_cutover_copy_rows_done', 'Legacy minutes scanned by the latest phase-4 copy', 'gauge', [
    { value: Number(copy.rowsDone ?? 0) },
  ]);
  out.metric('dxy_cutover_copy_rows_total', 'Legacy minutes to copy in the latest phase-4 run', 'gauge', [
    { value: Number(copy.rowsTotal ?? 0) },
  ]);
  out.metric('dxy_cutover_copy_percent', 'Progress of the latest phase-4 copy', 'gauge', [
    { value: Number(copy.percent ?? 0) },
  ]);
  out.metric('dxy_cutover_window_hours_taken', 'Hourly snapshots taken in the window', 'gauge', [
    { value: monitor.taken },
  ]);
  out.metric(
    'dxy_cutover_window_complete',
    '1 when the window has its hourly snapshots (24 or more) and enough open-market hours that passed',
    'gauge',
    [{ value: monitor.complete ? 1 : 0 }],
  );
  out.metric(
    'dxy_cutover_window_open_hours_passed',
    'Open-market hours of the window that passed (closed hours prove nothing)',
    'gauge',
    [{ value: monitor.openHoursPassed }],
  );
  out.metric(
    'dxy_cutover_window_open_hours_needed',
    'Open-market hours the window needs (CUTOVER_WINDOW_MIN_OPEN_HOURS)',
    'gauge',
    [{ value: monitor.minOpenHours }],
  );
  out.metric('dxy_cutover_window_unwaived_failures', 'FAIL hours no approver has waived', 'gauge', [
    { value: monitor.unwaivedFailures },
  ]);
  const latest = monitor.latest;
  out.metric(
    'dxy_cutover_snapshot_check_value',
    'The latest hourly snapshot: each check value',
    'gauge',
    (latest?.checks ?? []).map((c) => ({ labels: { check: c.key }, value: c.value })),
  );
  out.metric(
    'dxy_cutover_snapshot_check_verdict',
    'The latest hourly snapshot: each verdict (0 PASS, 1 WARN, 2 FAIL)',
    'gauge',
    (latest?.checks ?? []).map((c) => ({ labels: { check: c.key }, value: VERDICT_VALUE[c.verdict] })),
  );
  return out.toString();
}
