/**
 * The nine phases of the plan ("Option B") and the rollback, as the overview lists them: the
 * plan's line-by-line execution checklist with its day and time estimate (docs/phases.md).
 * The executors arrive with the runbook; this file is only the checklist.
 */
export interface PlanStep {
  id: string;
  number: number | null;
  title: string;
  intent: string;
  day: 1 | 2 | 3 | null;
  estimateMinutes: number | null;
}

export const PLAN_STEPS: readonly PlanStep[] = [
  {
    id: 'phase-1',
    number: 1,
    day: 1,
    estimateMinutes: 15,
    title: 'Pre-flight + backup',
    intent: 'Connectivity, backup of the touched rows, pre-state counts.',
  },
  {
    id: 'phase-2',
    number: 2,
    day: 1,
    estimateMinutes: 10,
    title: 'Schema validation',
    intent: 'Unique key, source CHECK, raw/created_at/updated_at, registry metadata; fix if needed.',
  },
  {
    id: 'phase-3',
    number: 3,
    day: 1,
    estimateMinutes: 15,
    title: 'Create calc_dxy_range_1m()',
    intent: 'Create the new function and test it on a recent window.',
  },
  {
    id: 'phase-4',
    number: 4,
    day: 1,
    estimateMinutes: 20,
    title: 'Copy historical data',
    intent: 'Copy DXY 1m from derived_data_bars to data_bars; verify by key and value.',
  },
  {
    id: 'phase-5',
    number: 5,
    day: 2,
    estimateMinutes: 30,
    title: 'Update tick-factory, aggregator, registry',
    intent: 'New RPC in tick-factory, aggregator reads data_bars only, registry metadata.',
  },
  {
    id: 'phase-6',
    number: 6,
    day: 2,
    estimateMinutes: 20,
    title: 'Three health checks',
    intent: 'New function produces rows; aggregation continues; workers healthy.',
  },
  {
    id: 'phase-7',
    number: 7,
    day: 2,
    estimateMinutes: 30,
    title: 'Deploy + restart workers',
    intent: 'Ship the switched workers (dual mode) and verify by the data.',
  },
  {
    id: 'phase-8',
    number: 8,
    day: 2,
    estimateMinutes: 24 * 60,
    title: 'Monitor 24 h',
    intent: 'Hourly freshness, count, aggregation and parity checks.',
  },
  {
    id: 'phase-9',
    number: 9,
    day: 3,
    estimateMinutes: 10,
    title: 'Soft-delete legacy rows',
    intent: 'Stop the legacy writer, soft-delete legacy DXY 1m, verify zero stay zero.',
  },
  {
    id: 'rollback',
    number: null,
    day: null,
    estimateMinutes: 30,
    title: 'Rollback',
    intent: 'Switch workers back, restore functions and registry, restore soft-deleted rows, back-fill the gap.',
  },
];
