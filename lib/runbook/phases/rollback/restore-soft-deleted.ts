/**
 * One step of the rollback's 'restore-soft-deleted' stage: a paced batch of the rows this migration run soft-deleted,
 * restored by their records under the lock on derived_data_bars, checked by key and value before it commits
 * (restore-batch-check.ts), committed with its checkpoint and the check's result. A batch whose check fails rolls back
 * whole and fails the rollback naming the rows: no row of it restored, no record of it marked.
 */
import { paceNextBatch } from '../../engine/pacing/pace-next-batch';
import { bound } from '../../engine/statements';
import type { PhaseContext, StepOutcome } from '../../engine/types';
import { addRestoreCheck, checkRestoreBatch, restoreBatchFailure } from './restore-batch-check';
import type { RollbackCheckpoint } from './rollback-checkpoint';
import { LOCK_LEGACY_SQL, RESTORE_BATCH, RESTORE_SOFT_DELETED_SQL } from './rollback-statements';

export async function restoreSoftDeletedBatch(ctx: PhaseContext, checkpoint: RollbackCheckpoint): Promise<StepOutcome> {
  // Gentle with production (engine/pacing): wait while the database is busy; an operator's batch size applies.
  const paced = await paceNextBatch(ctx, { batchRows: RESTORE_BATCH });
  if (paced.wait) return paced.wait;
  const restoreBatch = paced.batchRows;
  const migrationRunId = ctx.run.migrationRunId;
  const batch = await ctx.commitStep(
    async (tx) => {
      // A straggling legacy writer's insert of the same key waits for this lock, or this batch waits for it and
      // then sees its row: either way the key ends with one active row.
      await ctx.exec(tx, bound(LOCK_LEGACY_SQL));
      const { rows } = await ctx.exec<{ derived_id: string; ts_utc: Date; restored: boolean }>(
        tx,
        bound(RESTORE_SOFT_DELETED_SQL, [migrationRunId, restoreBatch]),
      );
      const skipped = rows.filter((r) => !r.restored);
      const check = await checkRestoreBatch(tx, {
        migrationRunId,
        restoredIds: rows.filter((r) => r.restored).map((r) => String(r.derived_id)),
        skippedIds: skipped.map((r) => String(r.derived_id)),
      });
      const failure = restoreBatchFailure(check, { restored: rows.length - skipped.length, skipped: skipped.length });
      if (failure)
        throw new Error(
          `Restore batch check failed, the batch rolled back (no row of it restored): ${failure}. ` +
            'A soft-deleted row changed after phase 9 recorded it; find out by whom before running the rollback again.',
        );
      return {
        handled: rows.length,
        restored: rows.length - skipped.length,
        skipped: skipped.map((r) => `${r.ts_utc.toISOString()} (id ${r.derived_id})`),
        check,
      };
    },
    (value) => ({
      checkpoint: {
        ...checkpoint,
        restored: (checkpoint.restored ?? 0) + value.restored,
        skipped: (checkpoint.skipped ?? 0) + value.skipped.length,
        skippedSamples: [...(checkpoint.skippedSamples ?? []), ...value.skipped].slice(0, 50),
        restoreChecked: addRestoreCheck(checkpoint.restoreChecked, value.check),
        stage: value.handled < restoreBatch ? 'backfill' : 'restore-soft-deleted',
      },
    }),
  );
  if (batch.handled > 0)
    await ctx.log(
      `Restored ${batch.restored} soft-deleted legacy rows (${batch.handled} handled), each checked before the commit: ` +
        `active again at its recorded minute with its recorded values` +
        (batch.check.keyOnly > 0 ? ` (${batch.check.keyOnly} recorded without values: by key only)` : '') +
        '.',
    );
  if (batch.skipped.length > 0)
    await ctx.log(
      `Skipped ${batch.skipped.length} soft-deleted rows whose key already has an active legacy row (left soft-deleted): ${batch.skipped.slice(0, 10).join(', ')}`,
      { skipped: batch.skipped },
      'warn',
    );
  return { state: 'continue' };
}
