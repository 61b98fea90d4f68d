/**
 * The runbook: every phase, in plan order. Listing this folder shows the whole plan; the UI, the
 * runner and the CLI all take phases from here.
 */
import type { PhaseDefinition, PhaseId } from '../types';
import { phase1Preflight } from './phase-1-preflight';
import { phase2Fix } from './phase-2-fix';
import { phase2SchemaValidation } from './phase-2-schema-validation';
import { phase3CreateFunction } from './phase-3-create-function';
import { phase4Copy } from './phase-4-copy';
import { phase5Switch } from './phase-5-switch';
import { phase6HealthChecks } from './phase-6-health-checks';
import { phase7Deploy } from './phase-7-deploy';
import { phase9SoftDelete } from './phase-9-soft-delete';
import { rollbackPhase } from './rollback';

export const PHASES: readonly PhaseDefinition[] = [
  phase1Preflight,
  phase2SchemaValidation,
  phase2Fix,
  phase3CreateFunction,
  phase4Copy,
  phase5Switch,
  phase6HealthChecks,
  phase7Deploy,
  phase9SoftDelete,
  rollbackPhase,
];

export function isPhaseId(value: string): value is PhaseId {
  return PHASES.some((phase) => phase.id === value);
}

export function findPhase(id: string): PhaseDefinition {
  const phase = PHASES.find((p) => p.id === id);
  if (!phase) throw new Error(`Unknown phase "${id}"`);
  return phase;
}
