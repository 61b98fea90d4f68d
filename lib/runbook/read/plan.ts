/**
 * The plan's line-by-line execution checklist (docs/phases.md), as the overview lists it: each
 * step of the phase registry — phase 2's fix is an action of phase 2, not a line — with its day
 * and time estimate.
 */
import type { PhaseIdentity, PhaseRegistry } from '../engine/phase-registry';
import { PHASE_CATALOG } from '../phases';

export type PlanStep = Pick<
  PhaseIdentity,
  'id' | 'number' | 'title' | 'intent' | 'day' | 'estimateMinutes' | 'route'
> & {
  /** Phase 8: its state is the 24-hour window's, not a run's. */
  window: boolean;
};

export function planSteps(registry: PhaseRegistry = PHASE_CATALOG): PlanStep[] {
  return registry.steps.map((phase) => ({
    id: phase.id,
    number: phase.number,
    title: phase.title,
    intent: phase.intent,
    day: phase.day,
    estimateMinutes: phase.estimateMinutes,
    route: phase.route,
    window: phase.executedBy === 'monitor',
  }));
}
