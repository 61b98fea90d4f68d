/**
 * The runbook's executors, in plan order: every phase the runner runs (phase 8, the window, is the
 * monitor's and has none). Their identities — ids, titles, options, approvals, pages — are the
 * catalog's (./catalog.ts); this registry is the same phases with what they do, for the runner,
 * the actions and the read models.
 */
import { createPhaseRegistry } from '../phase-registry';
import type { PhaseDefinition } from '../types';
import { PHASE_CATALOG } from './catalog';
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

export const PHASES = createPhaseRegistry<PhaseDefinition>([
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
]);

// The two lists must name the same runnable phases in the same order: fail at start, not mid-run.
const catalogued = PHASE_CATALOG.all.filter((p) => p.executedBy === 'runner').map((p) => p.id);
const executed = PHASES.all.map((p) => p.id);
if (catalogued.join() !== executed.join())
  throw new Error(`phases/index.ts lists ${executed.join(', ')} but catalog.ts ${catalogued.join(', ')}`);

export function isPhaseId(value: string): boolean {
  return PHASES.isId(value);
}

export function findPhase(id: string): PhaseDefinition {
  return PHASES.find(id);
}
