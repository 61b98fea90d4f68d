/**
 * A phase in one file (docs/phases.md "Adding a phase"): its identity — what the plan, the pages
 * and the CLI know of it — and what it runs, declared together. The identity's defaults are the
 * registry's (./phase-registry.ts); the pages and the CLI receive only the identity part
 * (`identityOf`), so no executor code reaches the browser or the CLI.
 */
import { definePhaseIdentity, type PhaseIdentity, type PhaseIdentityInput } from './phase-registry';
import type { PhaseDefinition } from './types';

export type PhaseDefinitionInput = PhaseIdentityInput & Omit<PhaseDefinition, keyof PhaseIdentity>;

export function definePhase(input: PhaseDefinitionInput): PhaseDefinition {
  const identity = definePhaseIdentity(input);
  return {
    ...input,
    ...identity,
    // Every preview says where the phase stops being undoable, and a phase that plans its statements
    // (./statements.ts) lists exactly their texts as its SQL: one source for the page, the approval and the runner.
    async preview(ctx) {
      const preview = await input.preview(ctx);
      const sql = preview.statements ? preview.statements.map((s) => s.text) : preview.sql;
      return { ...preview, sql, pointOfNoReturn: identity.pointOfNoReturn };
    },
  };
}
