/**
 * What a phase is, apart from what it runs (docs/phases.md "Adding a phase"): its id, number,
 * title, day and estimate, who may start it, its options, its confirmation word, its two-person
 * rule and its page. Each phase declares this once, in its identity file; everything that lists,
 * labels, routes or validates phases reads a registry built here from those declarations.
 *
 * Pure data and zod only (no database, no node modules): client components and the CLI import it
 * without pulling in the executors.
 */
import { z } from 'zod';
import type { Role } from '../../auth/roles';

// This module reaches the browser (phase pages, tabs, the checklist). zod probes for eval with
// `new Function('')` before compiling a schema; under the console's CSP (no 'unsafe-eval') that probe
// is refused and reported as a violation. jitless skips the probe and the compilation (docs/architecture.md "Security").
z.config({ jitless: true });

export interface PhaseOptionChoice {
  value: string;
  /** How the UI and the CLI's help describe the choice. */
  label: string;
  /** The rest of the sentence a form shows after the label (the rollback's choices). */
  description?: string;
}

/** A choice the person starting the phase makes (phase 4's method, the rollback's data). */
export interface PhaseOption {
  name: string;
  label: string;
  choices: readonly PhaseOptionChoice[];
  /** Taken when the request names none; an option without a default must be chosen. */
  default?: string;
  /** Why a missing choice is refused, in the words the form shows. */
  requiredMessage?: string;
  /**
   * A value the person types instead of picking a choice (Reconcile's range): 'minute' is a UTC
   * minute in ISO 8601 (2026-12-07T10:00Z). Such an option lists no choices.
   */
  input?: 'minute';
}

const OPTION_MINUTE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::00(?:\.000)?)?Z$/;

/** The minute an option value of input 'minute' names, or null when it is not a whole UTC minute. */
export function parseOptionMinute(value: unknown): Date | null {
  if (typeof value !== 'string' || !OPTION_MINUTE.test(value)) return null;
  const at = new Date(value);
  // Date accepts 2026-02-30 as March 2: a day or an hour out of range is not a minute the person meant.
  return Number.isNaN(at.getTime()) || at.toISOString().slice(0, 16) !== value.slice(0, 16) ? null : at;
}

const minuteProblem = (option: PhaseOption) => `${option.label}: a UTC minute such as 2026-12-07T10:00Z`;

function optionValueProblem(option: PhaseOption, value: string): string | null {
  if (option.input === 'minute') return parseOptionMinute(value) ? null : minuteProblem(option);
  return option.choices.some((c) => c.value === value)
    ? null
    : `${option.label}: one of ${option.choices.map((c) => c.value).join(', ')}`;
}

/**
 * A named stage of a phase (docs/phases.md "Statements and stages"): the unit its checkpoint moves
 * through, in order, and the heading its previewed statements are listed under.
 */
export interface PhaseStage {
  /** The value of `checkpoint.stage` while the run is in it. */
  id: string;
  /** How pages, previews and logs name it. */
  title: string;
}

/** The two-person rule: the run waits for an approver who is not the requester. */
export interface PhaseApproval<Kind extends string = string> {
  /** `cutover.approvals.kind` of the request. */
  kind: Kind;
  /** What the approver types to confirm. */
  word: string;
  /** Only when this option has this value (the rollback's `data = delete`); always when absent. */
  when?: { option: string; value: string };
  /** The request as the Approvals page lists it. */
  summary: string;
}

/**
 * `Id` and `Kind` are the literal id and approval kind a phase file declares (`definePhaseIdentity`
 * keeps them), so the registry of the console's phases knows its ids as a union (`PhaseId` in
 * ../phases/index.ts) and a renamed id fails to compile where it was written out. Code that works
 * for any phase (the engine, a test's own registry) uses the defaults, plain strings.
 */
export interface PhaseIdentity<Id extends string = string, Kind extends string = string> {
  /** Stored in `cutover.phase_runs.phase`; never change a released id (runs of it exist). */
  id: Id;
  /** The plan's number shown to people; null for the rollback. */
  number: number | null;
  title: string;
  /** The checklist's one line: what the step does. */
  intent: string;
  /** The plan's day (1: phases 1–4, 2: phases 5–8, 3: phase 9). */
  day: 1 | 2 | 3 | null;
  estimateMinutes: number | null;
  /** Who may start it. */
  roles: readonly Role[];
  /** The operator may pause it between batches (phase 4). */
  pausable: boolean;
  options: readonly PhaseOption[];
  /** The word the requester types to start it (the rollback's ROLLBACK); null when none. */
  confirmation: string | null;
  approval: PhaseApproval<Kind> | null;
  /**
   * An action of another phase rather than a step of the plan (phase 2's "Apply fix"): listed,
   * labelled and routed as that phase's.
   */
  actionOf: { phase: string; label: string; previewHeading: string } | null;
  /** The runner executes it; phase 8 is the monitor's window, taken hour by hour, not a run. */
  executedBy: 'runner' | 'monitor';
  /** A successful run of it opens the migration run (phase 1); the others need one open. */
  opensMigrationRun: boolean;
  /** A successful run of it closes the migration run as rolled back (the rollback). */
  closesMigrationRun: boolean;
  /** Its page: /phases/<id> for numbered phases unless declared otherwise. */
  route: string;
  /**
   * The first stage whose effect a failure cannot undo by rolling back its transaction (a commit
   * others build on, a deployment), in words; or why there is none. Shown on its page and preview.
   */
  pointOfNoReturn: string;
  /** Its stages in the order a run goes through them (one for a phase that is a single step). */
  stages: readonly PhaseStage[];
}

/** What an identity file writes: the rest takes the common defaults. */
export type PhaseIdentityInput = Pick<
  PhaseIdentity,
  'id' | 'number' | 'title' | 'intent' | 'day' | 'estimateMinutes' | 'pointOfNoReturn' | 'stages'
> &
  Partial<
    Omit<PhaseIdentity, 'id' | 'number' | 'title' | 'intent' | 'day' | 'estimateMinutes' | 'pointOfNoReturn' | 'stages'>
  >;

/** The approval kind a phase declares, as the literal it wrote; never when it has no approval. */
export type ApprovalKindOf<P> = P extends { approval: infer Approval }
  ? Approval extends { kind: infer Kind extends string }
    ? Kind
    : never
  : never;

/** The identity a phase file declares, keeping its id and approval kind as the literals it wrote. */
type DeclaredIdentity<I extends PhaseIdentityInput> = PhaseIdentity<I['id'], ApprovalKindOf<I>>;

export function definePhaseIdentity<const I extends PhaseIdentityInput>(input: I): DeclaredIdentity<I> {
  const identity: PhaseIdentity = {
    roles: ['operator'],
    pausable: false,
    options: [],
    confirmation: null,
    approval: null,
    actionOf: null,
    executedBy: 'runner',
    opensMigrationRun: false,
    closesMigrationRun: false,
    route: input.number === null ? `/${input.id}` : `/phases/${input.id}`,
    ...input,
  };
  // The fields are the input's, so its id and approval kind are the literals the input holds.
  return identity as DeclaredIdentity<I>;
}

/** Every field of an identity; the type below fails to compile if one is missing. */
const IDENTITY_FIELDS = [
  'id',
  'number',
  'title',
  'intent',
  'day',
  'estimateMinutes',
  'roles',
  'pausable',
  'options',
  'confirmation',
  'approval',
  'actionOf',
  'executedBy',
  'opensMigrationRun',
  'closesMigrationRun',
  'route',
  'pointOfNoReturn',
  'stages',
] as const satisfies readonly (keyof PhaseIdentity)[];
type UnlistedField = Exclude<keyof PhaseIdentity, (typeof IDENTITY_FIELDS)[number]>;
const everyFieldListed: [UnlistedField] extends [never] ? true : UnlistedField = true;
void everyFieldListed;

/** The identity part of a phase declared with what it runs: the plain data a client component may receive. */
export function identityOf<P extends PhaseIdentity>(phase: P): PhaseIdentity<P['id'], ApprovalKindOf<P>> {
  return Object.fromEntries(IDENTITY_FIELDS.map((field) => [field, phase[field]])) as unknown as PhaseIdentity<
    P['id'],
    ApprovalKindOf<P>
  >;
}

export interface PhaseRegistry<P extends PhaseIdentity = PhaseIdentity> {
  /** Every phase and action, in plan order. */
  readonly all: readonly P[];
  /** The plan's checklist: every phase that is not an action of another. */
  readonly steps: readonly P[];
  /** Narrows a stored or requested id to one of these phases' ids. */
  isId(id: string): id is P['id'];
  /** Throws on an unknown id (one that passed `isId`, or a literal the union accepts). */
  find(id: P['id']): P;
  /** The step a stored phase id belongs to: itself, or the phase it is an action of. */
  stepOf(id: string): P | null;
  /** The phase and its actions: the runs shown on its page and counted in its checklist row. */
  runIdsOf(stepId: P['id']): P['id'][];
  actionsOf(stepId: P['id']): P[];
  /** "Phase 4", "Phase 2 · Apply fix", "Rollback" (an unknown id is shown as itself). */
  label(id: string): string;
  /** "Apply fix" for a run of an action, null for a run of a phase itself (or an unknown id). */
  actionLabel(id: string): string | null;
  /** The page to open for a run of this phase (an action opens its phase's page). */
  route(id: string): string | null;
  /** The phase whose page is /phases/<segment>, if any. */
  pagePhase(segment: string): P | null;
  /** Every page of a step, in plan order. */
  routes(): string[];
  /** The options the phase takes, validated, with defaults filled in. */
  optionsSchema(id: P['id']): z.ZodType<Record<string, string>>;
  needsApproval(id: P['id'], options: Record<string, unknown>): boolean;
  /** The approval kinds and the word each needs. */
  approvalWords(): Record<string, string>;
  /** The start action's input: the phase, each option of any phase, the confirmation. */
  readonly startInput: StartInputSchema;
}

const OPTION_VALUE = z.string().max(100).optional();

/** A request to start a phase: its id, the value of each option it takes, the typed confirmation. */
export interface StartPhaseInput {
  phase: string;
  confirm?: string;
  [option: string]: string | undefined;
}

export type StartInputSchema = z.ZodType<StartPhaseInput>;

function buildStartInput(registry: Pick<PhaseRegistry, 'all' | 'isId' | 'find'>): StartInputSchema {
  const optionNames = [...new Set(registry.all.flatMap((p) => p.options.map((o) => o.name)))];
  const shape: Record<string, typeof OPTION_VALUE> = {};
  for (const name of optionNames) shape[name] = OPTION_VALUE;
  const schema = z
    .object({ phase: z.string().max(100), confirm: OPTION_VALUE })
    .extend(shape)
    .superRefine((raw, ctx) => {
      const input = raw as StartPhaseInput;
      if (!registry.isId(input.phase)) {
        ctx.addIssue({ code: 'custom', path: ['phase'], message: 'Unknown phase' });
        return;
      }
      const phase = registry.find(input.phase);
      for (const name of optionNames) {
        const option = phase.options.find((o) => o.name === name);
        const value = input[name];
        if (!option) {
          if (value !== undefined)
            ctx.addIssue({ code: 'custom', path: [name], message: `${label(phase)} takes no ${name}` });
          continue;
        }
        if (value === undefined) {
          if (option.default === undefined)
            ctx.addIssue({
              code: 'custom',
              path: [name],
              message: option.requiredMessage ?? `Choose ${option.choices.map((c) => c.value).join(' or ')}`,
            });
        } else {
          const problem = optionValueProblem(option, value);
          if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
        }
      }
      if (phase.confirmation !== null && input.confirm !== phase.confirmation)
        ctx.addIssue({ code: 'custom', path: ['confirm'], message: `Type ${phase.confirmation} to confirm` });
    });
  // The options are checked per phase above; the object's keys are every option of any phase.
  return schema as unknown as StartInputSchema;
}

function label(phase: PhaseIdentity, parent?: PhaseIdentity | null): string {
  const name = (p: PhaseIdentity) => (p.number === null ? p.title : `Phase ${p.number}`);
  return phase.actionOf && parent ? `${name(parent)} · ${phase.actionOf.label}` : name(phase);
}

/**
 * The registry of these phases, checked: ids unique, an action names a phase listed before it
 * that is not itself an action, page routes unique. The console builds one from the phase
 * files; a test builds its own, with a phase of its own (lib/runbook/engine/phase-registry.test.ts).
 */
export function createPhaseRegistry<P extends PhaseIdentity>(phases: readonly P[]): PhaseRegistry<P> {
  const byId = new Map<string, P>();
  for (const phase of phases) {
    if (byId.has(phase.id)) throw new Error(`Phase "${phase.id}" is registered twice`);
    // The start request carries the options beside these two fields.
    const clash = phase.options.find((o) => o.name === 'phase' || o.name === 'confirm');
    if (clash) throw new Error(`Phase "${phase.id}" names an option "${clash.name}", a field of the start request`);
    const stageIds = phase.stages.map((s) => s.id);
    if (stageIds.length === 0) throw new Error(`Phase "${phase.id}" declares no stage`);
    if (new Set(stageIds).size !== stageIds.length) throw new Error(`Phase "${phase.id}" declares a stage twice`);
    if (phase.actionOf) {
      const parent = byId.get(phase.actionOf.phase);
      if (!parent || parent.actionOf)
        throw new Error(
          `Phase "${phase.id}" is an action of "${phase.actionOf.phase}", which is not a phase before it`,
        );
    }
    byId.set(phase.id, phase);
  }
  const steps = phases.filter((p) => !p.actionOf);
  const routes = steps.map((p) => p.route);
  const duplicate = routes.find((route, i) => routes.indexOf(route) !== i);
  if (duplicate) throw new Error(`Two phases have the page ${duplicate}`);

  const find = (id: P['id']): P => {
    const phase = byId.get(id);
    if (!phase) throw new Error(`Unknown phase "${id}"`);
    return phase;
  };
  const stepOf = (id: string): P | null => {
    const phase = byId.get(id);
    if (!phase) return null;
    return phase.actionOf ? (byId.get(phase.actionOf.phase) ?? null) : phase;
  };
  const actionsOf = (stepId: P['id']) => phases.filter((p) => p.actionOf?.phase === stepId);
  const optionSchemas = new Map<string, z.ZodType<Record<string, string>>>();
  const registry: PhaseRegistry<P> = {
    all: phases,
    steps,
    isId: (id): id is P['id'] => byId.has(id),
    find,
    stepOf,
    runIdsOf: (stepId) => [stepId, ...actionsOf(stepId).map((a) => a.id)],
    actionsOf,
    label: (id) => {
      const phase = byId.get(id);
      return phase ? label(phase, stepOf(id)) : id;
    },
    actionLabel: (id) => byId.get(id)?.actionOf?.label ?? null,
    route: (id) => stepOf(id)?.route ?? null,
    pagePhase: (segment) => steps.find((p) => p.route === `/phases/${segment}`) ?? null,
    routes: () => [...routes],
    optionsSchema(id) {
      const phase = find(id);
      let schema = optionSchemas.get(id);
      if (!schema) {
        const shape: Record<string, z.ZodType<string>> = {};
        for (const option of phase.options) {
          const values = option.choices.map((c) => c.value) as [string, ...string[]];
          const value =
            option.input === 'minute'
              ? z.string().refine((v) => parseOptionMinute(v) !== null, minuteProblem(option))
              : z.enum(values);
          shape[option.name] = option.default === undefined ? value : value.default(option.default);
        }
        schema = z.object(shape) as unknown as z.ZodType<Record<string, string>>;
        optionSchemas.set(id, schema);
      }
      return schema;
    },
    needsApproval(id, options) {
      const approval = find(id).approval;
      if (!approval) return false;
      return !approval.when || options[approval.when.option] === approval.when.value;
    },
    approvalWords: () =>
      Object.fromEntries(phases.flatMap((p) => (p.approval ? [[p.approval.kind, p.approval.word]] : []))),
    get startInput() {
      return startInput;
    },
  };
  const startInput = buildStartInput(registry);
  return registry;
}
