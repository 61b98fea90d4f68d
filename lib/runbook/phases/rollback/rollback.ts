/**
 * Rollback (available from phase 3 on; docs/domain.md "The plan", defect 10). In this order:
 * 1. restore the pipeline functions exactly as phase 1's backup holds them (by their exact
 *    signature; overloads the migration created are dropped; owner, SET clauses and grants as
 *    backed up) and DXY's registry metadata;
 * 2. restore exactly the legacy rows this migration run soft-deleted (never by timestamp). Each
 *    batch locks derived_data_bars against writers first, so a key whose active row a straggling
 *    legacy writer inserts concurrently is seen, reported and skipped — never two active rows per key;
 *    and proves before its commit that each row it restored is active with its recorded values;
 * 3. back-fill every minute the migration touched that reached only data_bars;
 * 4. only then switch the workers back to legacy (and back-fill the minutes the new writer wrote
 *    while 1–3 ran);
 * 5. with `delete` (approver required), return data_bars' DXY rows to exactly what the backup holds;
 * 6. prove the legacy path writes again — new legacy DXY minutes and DXY 5m bars aggregated from
 *    them for windows after the switch — or, with the market closed, record that proof as pending
 *    with the time data is expected; the runner checks it at the open and alerts if the legacy path
 *    stays silent (legacy-path-proof.ts).
 * With `keep`, the first stage records data_bars' DXY rows by day, key and value in the checkpoint;
 * the verification proves every one of them is still there unchanged (rollback-keep-proof.ts).
 */

import { toJsonValue } from '../../../json';
import { MINUTE_MS } from '../../../time-units';
import { definePhase } from '../../engine/define-phase';
import { paceNextBatch } from '../../engine/pacing/pace-next-batch';
import { requireSucceeded } from '../../engine/preconditions';
import { bound } from '../../engine/statements';
import { backupTableName, getBackup } from '../shared/backup';
import { backfillLegacyRangeSql, rederiveLegacyMinutesSql } from '../shared/copy-legacy';
import { removeFence } from '../shared/legacy-fence';
import { proveLegacyPathWritesAgain } from './prove-legacy-path';
import { dataBarsAgainstBackup, RESTORED_FUNCTIONS, restoreFunctions } from './restore-from-backup';
import { restoreSoftDeletedBatch } from './restore-soft-deleted';
import { ROLLBACK_CHECKPOINT, type RollbackCheckpoint, rollbackChoiceOf } from './rollback-checkpoint';
import { recordKeptRows } from './rollback-keep-proof';
import {
  DELETE_BATCH,
  deleteAddedRowsSql,
  planRollbackStatements,
  putBackChangedRowsSql,
  RESTORE_REGISTRY_SQL,
  registryHasMetadata,
  reinsertGoneRowsSql,
} from './rollback-statements';
import { requireBackup, touchedFromOf } from './rollback-target';
import { verifyRollback } from './rollback-verification';

const BATCH_MINUTES = 14 * 24 * 60;

export const rollbackPhase = definePhase({
  id: 'rollback',
  closesMigrationRun: true,
  number: null,
  day: null,
  estimateMinutes: 30,
  pointOfNoReturn:
    'Restoring the pipeline functions and the registry: that transaction commits on its own, and each restore and back-fill batch after it commits with its checkpoint. A failure later leaves the functions restored; re-running the rollback continues from the checkpoint.',
  stages: [
    { id: 'restore-functions', title: 'restore the functions and the registry' },
    { id: 'restore-soft-deleted', title: 'restore the rows this run soft-deleted' },
    { id: 'backfill', title: 'back-fill the minutes only data_bars has' },
    { id: 'deploy-legacy', title: 'switch the workers back to legacy' },
    { id: 'backfill-tail', title: 'back-fill the minutes written until the switch' },
    { id: 'delete-new', title: 'delete the DXY rows the migration added' },
    { id: 'put-back', title: 'put back the rows the migration changed' },
    { id: 'prove', title: 'prove the legacy path writes again' },
  ],
  checkpoint: ROLLBACK_CHECKPOINT,
  title: 'Rollback',
  intent: 'Switch workers back, restore functions and registry, restore soft-deleted rows, back-fill the gap.',
  options: [
    {
      name: 'data',
      label: 'What happens to the DXY rows in data_bars?',
      choices: [
        {
          value: 'keep',
          label: 'Keep',
          description: 'them — harmless, the legacy path ignores them; no approval needed.',
        },
        {
          value: 'delete',
          label: 'Delete',
          description:
            'the rows the migration added — a full revert; an approver other than you must approve it first.',
        },
      ],
      requiredMessage: 'Choose keep or delete for the DXY rows in data_bars',
    },
  ],
  confirmation: 'ROLLBACK',
  approval: {
    kind: 'rollback-delete',
    word: 'DELETE',
    when: { option: 'data', value: 'delete' },
    summary: 'Rollback deleting the DXY rows the migration added to data_bars',
  },
  description:
    'Restores the pipeline functions (exact signatures, owner, settings, grants) and the DXY registry metadata from the backup; ' +
    'restores exactly the legacy rows this run soft-deleted (a key with an active row is reported and skipped); back-fills every ' +
    'minute since phase 1 that reached only data_bars; only then switches the workers back to legacy; keeps, or returns to exactly ' +
    'the backup (approver required), the DXY rows in data_bars (kept: proven by key and value against a record taken at the ' +
    'start); then proves the legacy path writes again — new legacy minutes and DXY 5m bars aggregated from them — pending ' +
    'until the open when the market is closed, checked automatically then.',

  async preconditions(ctx) {
    return [await requireSucceeded(ctx, '3', 'Phase 3 reached (rollback is available from phase 3 on)')];
  },

  async preview({ database, migrationRunId, options }) {
    const choice = rollbackChoiceOf(options);
    const [counts] = await database.sql<{ data_bars: number; soft_deleted: number }[]>`
      select (select count(*) from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m') as data_bars,
             (select count(*) from cutover.soft_deleted_rows where migration_run_id = ${migrationRunId ?? 0}
                 and restored_at is null) as soft_deleted`;
    const backup = migrationRunId === null ? null : await getBackup(database.sql, { migrationRunId });
    const signatures = (backup?.functions ?? [])
      .filter((f) => RESTORED_FUNCTIONS.includes(f.name))
      .map((f) => f.signature);
    return {
      summary: [
        `Restore ${signatures.join(', ') || 'the backed-up functions'} exactly as backed up (drop overloads the migration created; owner, SET, grants as before); restore DXY registry metadata.`,
        `Restore the ${counts?.soft_deleted ?? 0} legacy rows this run soft-deleted (by id; a key that already has an active row is reported and skipped).`,
        'Back-fill every DXY minute since phase 1 that exists only in data_bars into derived_data_bars.',
        'Then workers.deploy("legacy"), workers.restart(), and back-fill the minutes written meanwhile.',
        choice === 'delete'
          ? 'Return data_bars’ DXY rows to exactly the phase 1 backup: delete rows not in it, put back changed rows, re-insert rows that are gone.'
          : `Keep the ${counts?.data_bars ?? 0} DXY rows in data_bars (ignored by the legacy path).`,
        'Prove the legacy path writes new minutes and DXY 5m bars are aggregated from them; with the market closed this proof is pending until the open (checked automatically, alert if silent).',
      ],
      sql: [],
      statements: await planRollbackStatements(database.sql, { backup, migrationRunId, choice }),
      estimates: {
        'soft-deleted rows to restore': counts?.soft_deleted ?? 0,
        'DXY rows in data_bars': counts?.data_bars ?? 0,
      },
    };
  },

  changesWhenStarted: 'was started (it deletes or restores rows as it goes)',
  async execute(ctx) {
    const checkpoint = ctx.run.checkpoint as RollbackCheckpoint;
    const now = ctx.clock.now();
    const choice = rollbackChoiceOf(ctx.run.options);
    const backup = await requireBackup(ctx);
    switch (checkpoint.stage ?? 'restore-functions') {
      case 'restore-functions': {
        const touchedFrom = await touchedFromOf(ctx);
        const done = await ctx.commitStep(
          async (tx) => {
            const [row] = await tx<
              { n: number }[]
            >`select count(*)::int as n from public.data_bars where canonical_symbol = 'DXY'`;
            // Before anything writes a legacy row: phase 9's fence would skip the restore and the back-fill.
            const fence = await removeFence(tx, (t, statement) => ctx.exec(t, statement));
            const changes = await restoreFunctions(tx, backup, (t, text) => ctx.exec(t, bound(text)));
            if (await registryHasMetadata(tx)) {
              const before = toJsonValue(backup.registryRow?.metadata ?? {});
              await ctx.exec(tx, bound(RESTORE_REGISTRY_SQL, [JSON.stringify(before)]));
            }
            // Read in the step that stores it: the record and the checkpoint describe the same instant.
            const keptAtStart = choice === 'keep' ? await recordKeptRows(tx) : undefined;
            return { changes, dxyRowsAtStart: row?.n ?? 0, keptAtStart, fenceRemoved: fence.wasPresent };
          },
          (value) => ({
            checkpoint: {
              stage: 'restore-soft-deleted',
              touchedFrom: touchedFrom.toISOString(),
              dxyRowsAtStart: value.dxyRowsAtStart,
              keptAtStart: value.keptAtStart,
              ...(value.fenceRemoved ? { fenceRemovedAt: now.toISOString() } : {}),
            },
          }),
        );
        if (done.fenceRemoved)
          await ctx.log('Removed the fence on legacy DXY writes (phase 9): legacy rows can be written again.');
        await ctx.log(
          `Restored the pipeline functions and the DXY registry metadata from the backup (${done.changes.join('; ') || 'functions already as backed up'}).`,
        );
        return { state: 'continue' };
      }
      case 'restore-soft-deleted':
        return restoreSoftDeletedBatch(ctx, checkpoint);
      case 'backfill': {
        const from = new Date(checkpoint.backfillCursor ?? (checkpoint.touchedFrom as string));
        // A fixed end, so the batches never chase the clock; the tail after the switch takes the rest.
        const end = new Date(checkpoint.backfillUntil ?? now.getTime() + MINUTE_MS);
        if (!checkpoint.backfillUntil) {
          await ctx.commitStep(
            async () => null,
            () => ({ checkpoint: { ...checkpoint, backfillUntil: end.toISOString() } }),
          );
          return { state: 'continue' };
        }
        if (from >= end) {
          await ctx.commitStep(
            async () => null,
            () => ({ checkpoint: { ...checkpoint, stage: 'deploy-legacy' } }),
          );
          await ctx.log(`Back-filled ${checkpoint.backfilled ?? 0} minutes into derived_data_bars.`);
          return { state: 'continue' };
        }
        // One DXY row per minute: an operator's batch size is the back-fill's minutes per batch.
        const paced = await paceNextBatch(ctx, { batchRows: BATCH_MINUTES });
        if (paced.wait) return paced.wait;
        const to = new Date(Math.min(from.getTime() + paced.batchRows * MINUTE_MS, end.getTime()));
        await ctx.commitStep(
          async (tx) => (await ctx.exec(tx, bound(backfillLegacyRangeSql(), [from, to]))).count,
          (rows) => ({
            checkpoint: {
              ...checkpoint,
              backfillCursor: to.toISOString(),
              backfilled: (checkpoint.backfilled ?? 0) + rows,
            },
          }),
        );
        return { state: 'continue' };
      }
      case 'deploy-legacy': {
        const status = await ctx.workers.status();
        if (status.mode !== 'legacy') {
          const output = await ctx.workers.deploy('legacy');
          await ctx.log('Deployed workers in mode legacy.', output ? { output } : {});
        } else {
          await ctx.log('Workers already in mode legacy.');
        }
        const restart = await ctx.workers.restart();
        await ctx.log('Restarted the workers.', restart ? { output: restart } : {});
        await ctx.commitStep(
          async () => null,
          () => ({ checkpoint: { ...checkpoint, stage: 'backfill-tail', deployedAt: now.toISOString() } }),
        );
        return { state: 'continue' };
      }
      case 'backfill-tail': {
        // Minutes the new writer produced while the data steps ran, up to the switch.
        const from = new Date(
          new Date(checkpoint.backfillCursor ?? (checkpoint.touchedFrom as string)).getTime() - 60 * MINUTE_MS,
        );
        const { rows, rederived } = await ctx.commitStep(
          async (tx) => {
            const end = new Date(now.getTime() + MINUTE_MS);
            const rows = (await ctx.exec(tx, bound(backfillLegacyRangeSql(), [from, end]))).count;
            // Revisions the fence kept legacy from following: the legacy function re-derives those minutes.
            const touchedFrom = new Date(checkpoint.touchedFrom as string);
            const rederived = (await ctx.exec(tx, bound(rederiveLegacyMinutesSql(), [touchedFrom, end]))).count;
            return { rows, rederived };
          },
          ({ rows }) => ({
            checkpoint: {
              ...checkpoint,
              backfilled: (checkpoint.backfilled ?? 0) + rows,
              stage: choice === 'delete' ? 'delete-new' : 'prove',
            },
          }),
        );
        if (rows > 0) await ctx.log(`Back-filled ${rows} minutes written by the new path until the switch.`);
        if (rederived > 0)
          await ctx.log(
            `Re-derived ${rederived} legacy minutes with calc_dxy_range_derived: providers revised their components while the fence held legacy.`,
          );
        return { state: 'continue' };
      }
      case 'delete-new': {
        const table = backupTableName(ctx.run.migrationRunId, 'data_bars');
        const deleted = await ctx.commitStep(
          async (tx) => (await ctx.exec(tx, bound(deleteAddedRowsSql(table)))).count,
          (count) => ({
            checkpoint: {
              ...checkpoint,
              deleted: (checkpoint.deleted ?? 0) + count,
              stage: count < DELETE_BATCH ? 'put-back' : 'delete-new',
            },
          }),
        );
        if (deleted < DELETE_BATCH)
          await ctx.log(`Deleted ${(checkpoint.deleted ?? 0) + deleted} DXY rows the migration added to data_bars.`);
        return { state: 'continue' };
      }
      case 'put-back': {
        const result = await ctx.commitStep(
          async (tx) => {
            const { table, columns } = await dataBarsAgainstBackup(tx, ctx.run.migrationRunId);
            // Rows the migration changed (phase 2's normalization of an earlier attempt's rows) get their backed-up values back.
            const changed = await ctx.exec(tx, bound(putBackChangedRowsSql(table, columns)));
            const gone = await ctx.exec(tx, bound(reinsertGoneRowsSql(table, columns)));
            return { putBack: changed.count, reinserted: gone.count };
          },
          (value) => ({ checkpoint: { ...checkpoint, ...value, stage: 'prove' } }),
        );
        await ctx.log(
          `data_bars' DXY rows returned to the backup: ${result.putBack} changed rows put back, ${result.reinserted} re-inserted.`,
        );
        return { state: 'continue' };
      }
      case 'prove':
        return proveLegacyPathWritesAgain(ctx, checkpoint, now);
    }
    return { state: 'done' };
  },

  verify: verifyRollback,
});
