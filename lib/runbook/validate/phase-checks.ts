/**
 * Validate's look at every phase: its preconditions and its preview, evaluated now, as the phase
 * pages evaluate them (../read-phase-detail.ts). Before phase 1 most preconditions wait for an
 * earlier phase — that is the plan's order, listed as a finding. A precondition that describes
 * the database itself (a missing table, a function in the way, an aggregator nobody understands)
 * is NO-GO when it fails, and so is a phase whose preconditions or preview cannot be evaluated.
 */
import type { Database } from '../../db/connection';
import type { Clock } from '../../market/clock';
import type { RunbookConfig } from '../engine/config';
import type { PhaseRegistry } from '../engine/phase-registry';
import type { PhaseDefinition } from '../engine/types';
import type { Check } from '../engine/verification';
import { withOneAggregatorPlan } from '../phases/5-switch/aggregator-function';
import { VALIDATION_GATE_CHECK } from './gate';
import { errorText, finding, go, noGo, type ValidationItem } from './verdict';

/** Preconditions about the database as it is, which no earlier phase will change: failing, the plan cannot go through. */
export const BLOCKING_PRECONDITIONS: readonly string[] = [
  'Pipeline tables present',
  'data_bars present',
  'No other calc_dxy_range_1m in the way',
  'The aggregator the workers call is understood',
];

function describeFailing(checks: readonly Check[]): string {
  return checks.map((c) => `${c.name} (${c.detail})`).join('; ');
}

async function checkPhase(
  phase: PhaseDefinition,
  label: string,
  context: { database: Database; clock: Clock; config: RunbookConfig; migrationRunId: number | null },
): Promise<ValidationItem[]> {
  const name = `${label}: preconditions and preview`;
  let checks: Check[];
  let statements: number;
  try {
    const [evaluated, preview] = await withOneAggregatorPlan(() =>
      Promise.all([phase.preconditions(context), phase.preview({ ...context, options: {} })]),
    );
    checks = evaluated.filter((c) => c.name !== VALIDATION_GATE_CHECK);
    statements = preview.sql.length;
  } catch (error) {
    return [noGo('phase', name, `could not be evaluated: ${errorText(error)}`)];
  }
  const failing = checks.filter((c) => !c.passed);
  const blocking = failing.filter((c) => BLOCKING_PRECONDITIONS.includes(c.name));
  const waiting = failing.filter((c) => !BLOCKING_PRECONDITIONS.includes(c.name));
  const items: ValidationItem[] = [];
  if (blocking.length > 0) items.push(noGo('phase', name, describeFailing(blocking), blocking));
  if (waiting.length > 0)
    items.push(finding('phase', name, `waits for the plan: ${describeFailing(waiting)}`, waiting));
  if (items.length === 0)
    items.push(go('phase', name, `${checks.length} preconditions pass; preview of ${statements} statements`));
  // What the phases themselves report as findings (the earlier attempt's rows, holes) stays a finding.
  for (const reported of checks.filter((c) => c.kind === 'finding'))
    items.push(finding('phase', `${label}: ${reported.name}`, reported.detail));
  return items;
}

export async function checkPhases(
  registry: PhaseRegistry<PhaseDefinition>,
  context: { database: Database; clock: Clock; config: RunbookConfig; migrationRunId: number | null },
): Promise<ValidationItem[]> {
  const items: ValidationItem[] = [];
  // One phase at a time: each plans in rolled-back transactions of its own, and this runs against production.
  for (const phase of registry.all) items.push(...(await checkPhase(phase, registry.label(phase.id), context)));
  return items;
}
