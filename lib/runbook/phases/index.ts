/**
 * The plan in order (docs/phases.md): the one list a new phase joins. Each phase is one file that
 * declares its identity and what it runs (../define-phase.ts); phase 2's fix follows phase 2, and
 * phase 8, the window, is the monitor's and has no executor.
 *
 * Server code only: pages hand client components the identities (`phaseIdentities`), and the CLI
 * asks the console's API for its usage text.
 */
import { type ApprovalKindOf, createPhaseRegistry, identityOf, type PhaseIdentity } from '../engine/phase-registry';
import type { PhaseDefinition } from '../engine/types';
import { phase1Preflight } from './1-preflight/phase-1-preflight';
import { phase2Fix } from './2-schema/phase-2-fix';
import { phase2SchemaValidation } from './2-schema/phase-2-schema-validation';
import { phase3CreateFunction } from './3-function/phase-3-create-function';
import { phase4Copy } from './4-copy/phase-4-copy';
import { phase5Switch } from './5-switch/phase-5-switch';
import { phase6HealthChecks } from './6-health/phase-6-health-checks';
import { phase7Deploy } from './7-deploy/phase-7-deploy';
import { phase8Window } from './8-monitor/phase-8-monitor';
import { phase9SoftDelete } from './9-soft-delete/phase-9-soft-delete';
import { reconcilePhase } from './reconcile/reconcile';
import { rollbackPhase } from './rollback/rollback';

/** Every phase and action in plan order, each with the literal id its file declares. */
const PLAN = [
  phase1Preflight,
  phase2SchemaValidation,
  phase2Fix,
  phase3CreateFunction,
  phase4Copy,
  phase5Switch,
  phase6HealthChecks,
  phase7Deploy,
  phase8Window,
  phase9SoftDelete,
  reconcilePhase,
  rollbackPhase,
] as const;

type PlanPhase = (typeof PLAN)[number];
type RunnerPhase = Extract<PlanPhase, PhaseDefinition>;

/**
 * The id of a phase or action of the plan: a union of the literals the phase files declare, so a
 * renamed or mistyped id fails to compile wherever it is written out (`'7'`, `'rollback'`…). Ids
 * read back from the database or a request are strings until `isPhaseId` narrows them.
 */
export type PhaseId = PlanPhase['id'];

/**
 * A phase id written out in code, checked against the registry: `phaseId('7')` is '7' at run time
 * and a compile error once no phase declares '7'. For comparing and querying stored runs, whose
 * `phase` column lib/db types as a string (lib/db cannot know the registry).
 */
export function phaseId<const Id extends PhaseId>(id: Id): Id {
  return id;
}

/** What an approval request is for: a phase's declared kind, or the abandon of a migration run. */
export type ApprovalKind = ApprovalKindOf<PlanPhase> | typeof ABANDON_APPROVAL_KIND;
export const ABANDON_APPROVAL_KIND = 'abandon';

/** Every phase and action, with what each runs: what lists, labels, routes and validates phases. */
export const PHASE_CATALOG = createPhaseRegistry<PlanPhase>(PLAN);

/** The phases the runner runs, with their executors: the runner's, the actions' and the read models'. */
export const PHASES = createPhaseRegistry<RunnerPhase>(PLAN.filter(isRunnerPhase));

function isRunnerPhase(phase: PlanPhase): phase is RunnerPhase {
  return phase.executedBy === 'runner' && 'execute' in phase;
}

/** What client components may receive of the phases: plain data, no executor. */
export function phaseIdentities(): PhaseIdentity<PhaseId, ApprovalKind>[] {
  return PHASE_CATALOG.all.map((phase) => identityOf(phase));
}

/** A stored or requested id that names a phase the runner runs. */
export function isPhaseId(value: string): value is RunnerPhase['id'] {
  return PHASES.isId(value);
}

export function findPhase(id: RunnerPhase['id']): RunnerPhase {
  return PHASES.find(id);
}
