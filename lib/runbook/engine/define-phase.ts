/**
 * A phase in one file (docs/phases.md "Adding a phase"): its identity — what the plan, the pages
 * and the CLI know of it — and what it runs, declared together. The identity's defaults are the
 * registry's (./phase-registry.ts); the pages and the CLI receive only the identity part
 * (`identityOf`), so no executor code reaches the browser or the CLI.
 *
 * What every phase gets from being declared here (docs/phases.md "Statements and stages"):
 * - its preview lists exactly the texts of its planned statements, each under one of its declared
 *   stages, and says where the phase stops being undoable;
 * - before each step its run's checkpoint is checked against the phase's zod schema (a checkpoint it
 *   cannot read stops the run instead of being guessed at);
 * - after each step its checkpoint's stage may only stay or move forward through the declared
 *   stages, and each move is written to the run's log.
 */
import { z } from 'zod';
import {
  type ApprovalKindOf,
  definePhaseIdentity,
  type PhaseIdentity,
  type PhaseIdentityInput,
  type PhaseStage,
} from './phase-registry';
import type { PhaseContext, PhaseDefinition, Preview, StepOutcome } from './types';

export type PhaseDefinitionInput = PhaseIdentityInput & Omit<PhaseDefinition, keyof PhaseIdentity>;

/** Where a checkpoint is: its `stage`, or the first stage before the phase has written one. */
export function stageIndexOf(stages: readonly PhaseStage[], checkpoint: Record<string, unknown>): number {
  const stage = checkpoint.stage;
  if (stage === undefined || stage === null) return 0;
  const index = stages.findIndex((s) => s.id === stage);
  if (index < 0)
    throw new Error(
      `The run's checkpoint names the stage "${String(stage)}", which this phase does not declare (${stages.map((s) => s.id).join(', ')}).`,
    );
  return index;
}

function checkedPreview(identity: PhaseIdentity, preview: Preview): Preview {
  const titles = new Map(identity.stages.map((s) => [s.id, s.title]));
  for (const statement of preview.statements ?? []) {
    if (!titles.has(statement.stage))
      throw new Error(
        `Phase ${identity.id} plans a statement in the stage "${statement.stage}", which it does not declare.`,
      );
  }
  const statements = preview.statements?.map((s) => ({ ...s, stageTitle: titles.get(s.stage) }));
  const sql = statements ? statements.map((s) => s.text) : preview.sql;
  return { ...preview, sql, ...(statements ? { statements } : {}), pointOfNoReturn: identity.pointOfNoReturn };
}

async function checkedStep(
  identity: PhaseIdentity,
  checkpoint: z.ZodType,
  execute: (ctx: PhaseContext) => Promise<StepOutcome>,
  ctx: PhaseContext,
): Promise<StepOutcome> {
  const parsed = checkpoint.safeParse(ctx.run.checkpoint);
  if (!parsed.success)
    throw new Error(
      `Run #${ctx.run.id}'s checkpoint is not one phase ${identity.id} wrote, so it is not resumed from: ${z.prettifyError(parsed.error)}`,
    );
  const before = stageIndexOf(identity.stages, ctx.run.checkpoint);
  const outcome = await execute(ctx);
  const after = stageIndexOf(identity.stages, ctx.run.checkpoint);
  if (after < before)
    throw new Error(
      `Phase ${identity.id} moved its checkpoint back from the stage "${identity.stages[before]?.id}" to "${identity.stages[after]?.id}".`,
    );
  if (after > before) {
    const stage = identity.stages[after] as PhaseStage;
    await ctx.log(`Stage ${after + 1} of ${identity.stages.length}: ${stage.title}`, { stage: stage.id });
  }
  return outcome;
}

/** A phase as its file declares it: its id and approval kind stay the literals written there. */
type DeclaredPhase<I extends PhaseDefinitionInput> = PhaseDefinition<I['id'], ApprovalKindOf<I>>;

export function definePhase<const I extends PhaseDefinitionInput>(input: I): DeclaredPhase<I> {
  const identity: PhaseIdentity = definePhaseIdentity(input);
  const phase: PhaseDefinition = {
    ...input,
    ...identity,
    async preview(ctx) {
      return checkedPreview(identity, await input.preview(ctx));
    },
    execute: (ctx) => checkedStep(identity, input.checkpoint, input.execute, ctx),
  };
  // The identity's fields are the input's: its id and approval kind are the literals the input holds.
  return phase as DeclaredPhase<I>;
}
