/**
 * One step of phase 9's 'soft-deleting' stage: a paced batch soft-deleted with the previewed statement, checked by
 * key and value before it commits (soft-delete-batch-check.ts), committed with its checkpoint and the check's result.
 * A batch whose check fails rolls back whole and fails the phase naming the minutes: nothing of it is committed.
 */
import { paceNextBatch } from '../../engine/pacing/pace-next-batch';
import { bound } from '../../engine/statements';
import type { PhaseContext, StepOutcome } from '../../engine/types';
import { reconcileWayOut } from './final-proof';
import { addBatchCheck, checkSoftDeleteBatch, softDeleteBatchFailure } from './soft-delete-batch-check';
import { reportSoftDeleteBloat } from './soft-delete-bloat';
import type { SoftDeleteCheckpoint } from './soft-delete-checkpoint';
import { SOFT_DELETE_BATCH_SQL } from './soft-delete-statements';

export async function softDeleteBatch(
  ctx: PhaseContext,
  checkpoint: SoftDeleteCheckpoint,
  params: { now: Date; waivedMinutes: readonly string[] },
): Promise<StepOutcome> {
  const { now, waivedMinutes } = params;
  // Gentle with production (engine/pacing): wait while the database is busy; an operator's batch size applies.
  const paced = await paceNextBatch(ctx, { batchRows: ctx.config.softDeleteBatchRows });
  if (paced.wait) return paced.wait;
  const batchRows = paced.batchRows;
  const migrationRunId = ctx.run.migrationRunId;
  const batch = await ctx.commitStep(
    async (tx) => {
      // ISO strings, cast in SQL: an array of text serializes the same whatever its length.
      const { rows } = await ctx.exec<{ derived_id: string }>(
        tx,
        bound(SOFT_DELETE_BATCH_SQL, [waivedMinutes, batchRows, now, migrationRunId]),
      );
      const ids = rows.map((r) => String(r.derived_id));
      const last = ids.length < batchRows;
      const check = await checkSoftDeleteBatch(tx, { ids, migrationRunId, waived: waivedMinutes, last });
      const failure = softDeleteBatchFailure(check, ids.length);
      if (failure)
        throw new Error(
          `Soft-delete batch check failed, the batch rolled back (nothing of it committed): ${failure}. ` +
            `${reconcileWayOut([])}, then run phase 9 again: it continues where it stopped.`,
        );
      return { count: ids.length, check };
    },
    ({ count, check }) => {
      const done = (checkpoint.deletedRows ?? 0) + count;
      const before = checkpoint.deletedBefore ?? 0;
      const total = Math.max(checkpoint.totalAtStart ?? done + before, done + before);
      return {
        checkpoint: {
          ...checkpoint,
          deletedRows: done,
          checked: addBatchCheck(checkpoint.checked, check, now),
          ...(count < batchRows ? { stage: 'holding', deletedAt: now.toISOString() } : {}),
        },
        progress: { rowsDone: before + done, rowsTotal: total, percent: (100 * (before + done)) / Math.max(1, total) },
      };
    },
  );
  if (batch.count < batchRows) {
    const checked = addBatchCheck(checkpoint.checked, batch.check, now);
    const softDeleted = (checkpoint.deletedBefore ?? 0) + (checkpoint.deletedRows ?? 0) + batch.count;
    await ctx.log(
      `Soft-deleted ${(checkpoint.deletedRows ?? 0) + batch.count} legacy DXY 1m rows in this attempt ` +
        `(${softDeleted} in this migration run). Each batch checked before its commit: ${checked.rows} rows in ` +
        `${checked.batches} batches, ${checked.sameClose} with the same close in data_bars, ${checked.revised} with what ` +
        `the components give now, ${checked.waived} waived; none passed over.`,
    );
    // The last batch: the bloat it leaves and the VACUUM that clears it (soft-delete-bloat.ts).
    await reportSoftDeleteBloat(ctx, { softDeleted });
  }
  return { state: 'continue' };
}
