/**
 * "Validate now" and an admin's "Override validation" (docs/phases.md "Validate — before the
 * night"). Validate runs the dry run (../validate/run-validation.ts: every write rolled back) and
 * stores its result; one at a time, and not while a phase run is active (its trials would queue
 * behind the run's locks, or it behind theirs). The override lets the next phase 1 start within
 * 24 hours without a GO, with the admin's reason, audited like every action.
 */
import { z } from 'zod';
import { ActionRefused, defineAction } from '../../auth/action';
import { insertValidation, insertValidationOverride, latestValidation } from '../../db/tables/validations';
import { getActivePhaseRun } from '../engine/run-state';
import { readValidationGate } from '../validate/gate';
import { runValidation, type ValidationOptions } from '../validate/run-validation';

const VALIDATE_LOCK_KEY = 0x0d_c7_0018;

/** The validate action; a test hands it the worker control or settings of its world. */
export function createValidateAction(options: ValidationOptions = {}) {
  return defineAction({
    name: 'runbook.validate',
    input: z.object({}),
    roles: ['operator'],
    async run({ tx, user, database }) {
      const [locked] = await tx<{ ok: boolean }[]>`select pg_try_advisory_xact_lock(${VALIDATE_LOCK_KEY}) as ok`;
      if (!locked?.ok) throw new ActionRefused('A validation is already running; its result will show here.');
      const active = await getActivePhaseRun(tx);
      if (active)
        throw new ActionRefused(
          `Run #${active.id} (phase ${active.phase}) is ${active.status}: validate before a phase starts, not while one runs.`,
        );
      const outcome = await runValidation(database, options);
      const stored = await insertValidation(tx, {
        requestedBy: user.username,
        startedAt: outcome.startedAt,
        finishedAt: outcome.finishedAt,
        verdict: outcome.verdict,
        items: outcome.items,
        databaseIdentity: { ...outcome.identity },
      });
      return { validationId: stored.id, verdict: stored.verdict, finishedAt: stored.finishedAt, items: stored.items };
    },
  });
}

export const validatePlan = createValidateAction();

export const overrideValidation = defineAction({
  name: 'runbook.override_validation',
  input: z.object({
    reason: z.string().trim().min(10, 'Say why phase 1 may start without a GO (at least 10 characters).').max(2000),
  }),
  roles: ['admin'],
  async run({ tx, input, user }) {
    const gate = await readValidationGate(tx);
    if (gate.passed && !gate.byOverride) throw new ActionRefused(`No override needed: ${gate.detail}.`);
    const latest = await latestValidation(tx);
    const override = await insertValidationOverride(tx, {
      overriddenBy: user.username,
      reason: input.reason,
      validationId: latest?.id ?? null,
    });
    return { overrideId: override.id, validationId: latest?.id ?? null, createdAt: override.createdAt };
  },
});
