/**
 * What the rollback stores between its steps (the stage it is in, its counts, the record of kept rows, the
 * legacy-path proof), and the data choice it runs with.
 */
import { z } from 'zod';
import type { LegacyPathProof } from '../shared/legacy-path-proof';
import type { RestoreChecks } from './restore-batch-check';
import type { KeptRowsRecord } from './rollback-keep-proof';
import type { RollbackDataChoice } from './rollback-statements';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

export const ROLLBACK_CHECKPOINT = z.looseObject({
  stage: z
    .enum([
      'restore-functions',
      'restore-soft-deleted',
      'backfill',
      'deploy-legacy',
      'backfill-tail',
      'delete-new',
      'put-back',
      'prove',
    ])
    .optional(),
  dxyRowsAtStart: z.number().optional(),
  /** With "keep": data_bars' DXY rows at the start, by day, key and value (./rollback-keep-proof.ts). */
  keptAtStart: z
    .custom<KeptRowsRecord>((v) => isObject(v) && typeof v.maxId === 'string' && Array.isArray(v.buckets))
    .optional(),
  /** Clock time of phase 1: minutes from here on are the ones the migration touched. */
  touchedFrom: z.string().optional(),
  deployedAt: z.string().optional(),
  backfillCursor: z.string().optional(),
  backfillUntil: z.string().optional(),
  backfilled: z.number().optional(),
  restored: z.number().optional(),
  /** Soft-deleted rows not restored because their key already had an active row. */
  skipped: z.number().optional(),
  skippedSamples: z.array(z.string()).optional(),
  /** This attempt's restore batches as their own checks found them before each commit (./restore-batch-check.ts). */
  restoreChecked: z.custom<RestoreChecks>((v) => isObject(v) && typeof v.batches === 'number').optional(),
  deleted: z.number().optional(),
  putBack: z.number().optional(),
  reinserted: z.number().optional(),
  /**
   * The data frontier when the proof first saw legacy minutes after the switch back: the aggregator's allowance for a
   * DXY 5m bar starts here, not at the switch (a held-back component releases a burst of minutes at once;
   * ./prove-legacy-path.ts).
   */
  legacyMinutesSeenAt: z.string().optional(),
  /**
   * Clock time the proof first found that allowance spent: the aggregator is judged on a run after this (the minutes
   * may have come in one burst just before its next run), or on no run for the allowance again (./prove-legacy-path.ts).
   */
  fiveMinuteAllowanceSpentAt: z.string().optional(),
  legacyProof: z.custom<LegacyPathProof>((v) => isObject(v) && typeof v.state === 'string').optional(),
  /** Clock time the fence on legacy writes (../shared/legacy-fence.ts) came down, when there was one. */
  fenceRemovedAt: z.string().optional(),
});
export type RollbackCheckpoint = z.infer<typeof ROLLBACK_CHECKPOINT>;

export function rollbackChoiceOf(options: Record<string, unknown>): RollbackDataChoice {
  return options.data === 'delete' ? 'delete' : 'keep';
}
