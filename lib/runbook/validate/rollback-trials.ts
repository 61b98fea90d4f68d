/**
 * Validate's trials of the rollback (docs/phases.md "Validate — before the night"), each in a
 * transaction that is rolled back, with the rollback's own statements: the restore of exactly the
 * rows a soft-delete recorded, the back-fill of minutes only in data_bars, and the restore of the
 * pipeline functions and registry from a backup as phase 1 would take it now, after phase 5's
 * replacement.
 */
import type { TransactionSql } from 'postgres';
import { toJsonValue } from '../../json';
import { DXY_CLOSE_TOLERANCE } from '../../market/dxy';
import { MINUTE_MS } from '../../time-units';
import { AGGREGATOR_5M, planAggregatorReplacement } from '../phases/5-switch/aggregator-function';
import { REGISTRY_UPDATE_SQL } from '../phases/5-switch/registry-metadata';
import { compareFunctions, restoreFunctions } from '../phases/rollback/restore-from-backup';
import {
  LOCK_LEGACY_SQL,
  RESTORE_REGISTRY_SQL,
  RESTORE_SOFT_DELETED_SQL,
} from '../phases/rollback/rollback-statements';
import {
  readAggState,
  readConstraintDefinitions,
  readFunctionDefinitions,
  readRegistryRow,
  type StoredBackup,
} from '../phases/shared/backup';
import { backfillLegacyRange } from '../phases/shared/copy-legacy';
import {
  applySchemaFix,
  TRIAL_KEYS,
  TRIAL_MIGRATION_RUN,
  type TrialContext,
  trial,
  trialAfterSoftDelete,
} from './trial-support';
import { finding, go, noGo, type ValidationItem } from './verdict';

export async function restoreSoftDeletedTrial(ctx: TrialContext): Promise<ValidationItem> {
  const name = 'Rollback · restore of the soft-deleted rows';
  return trialAfterSoftDelete(ctx, { name, purpose: 'to stage it with' }, async (tx, deleted) => {
    if (deleted === 0) return finding('write-trial', name, 'not tried: no legacy minute to soft-delete first');
    await tx.unsafe(LOCK_LEGACY_SQL);
    const rows = await tx.unsafe<{ restored: boolean }[]>(RESTORE_SOFT_DELETED_SQL, [TRIAL_MIGRATION_RUN, TRIAL_KEYS]);
    const restored = rows.filter((r) => r.restored).length;
    const [active] = await tx<{ n: number }[]>`
      select count(*)::int as n from cutover.soft_deleted_rows s join public.derived_data_bars d on d.id = s.derived_id
       where s.migration_run_id = ${TRIAL_MIGRATION_RUN} and d.deleted_at is null and s.restored_at is not null`;
    if (restored !== deleted || (active?.n ?? 0) !== deleted)
      return noGo(
        'write-trial',
        name,
        `${deleted} rows soft-deleted; the restore handled ${rows.length}, restored ${restored}, ${active?.n ?? 0} active again`,
      );
    return go(
      'write-trial',
      name,
      `${restored} soft-deleted legacy rows restored exactly by their record (rolled back)`,
    );
  });
}

export async function backfillTrial(ctx: TrialContext): Promise<ValidationItem> {
  const name = 'Rollback · back-fill of minutes only in data_bars';
  // Staged as after a soft-delete: these minutes are in data_bars only; the back-fill must bring them back.
  return trialAfterSoftDelete(ctx, { name, purpose: 'to stage it with' }, async (tx, deleted) => {
    const [staged] = await tx<{ from: Date | null; last: Date | null }[]>`
      select min(ts_utc) as from, max(ts_utc) as last from cutover.soft_deleted_rows where migration_run_id = ${TRIAL_MIGRATION_RUN}`;
    if (deleted === 0 || !staged?.from || !staged.last)
      return finding('write-trial', name, 'not tried: no legacy minute in data_bars to stage it with');
    const staging = { from: staged.from, to: new Date(staged.last.getTime() + MINUTE_MS) };
    const backfilled = await backfillLegacyRange(tx, staging);
    const [left] = await tx<{ n: number }[]>`
      select count(*)::int as n from cutover.soft_deleted_rows s
       where s.migration_run_id = ${TRIAL_MIGRATION_RUN}
         and not exists (select 1 from public.derived_data_bars d join public.data_bars n
                           on n.canonical_symbol = 'DXY' and n.timeframe = '1m' and n.ts_utc = d.ts_utc
                          where d.canonical_symbol = 'DXY' and d.timeframe = '1m' and d.deleted_at is null
                            and d.ts_utc = s.ts_utc and abs(n.close - d.close) <= ${DXY_CLOSE_TOLERANCE} * abs(n.close))`;
    if (backfilled < deleted || (left?.n ?? 0) > 0)
      return noGo(
        'write-trial',
        name,
        `${deleted} minutes were only in data_bars; the back-fill wrote ${backfilled}, and ${left?.n ?? 0} of them still have no active legacy row with the same close`,
      );
    return go(
      'write-trial',
      name,
      `${backfilled} minutes back-filled into derived_data_bars with the same close (rolled back)`,
    );
  });
}

/** A backup as phase 1 would take it now, kept in memory: what the function restore puts back. */
async function backupAsNow(tx: TransactionSql): Promise<StoredBackup> {
  return {
    id: 0,
    migrationRunId: 0,
    phaseRunId: 0,
    takenAt: new Date(),
    tables: [],
    functions: await readFunctionDefinitions(tx),
    constraints: await readConstraintDefinitions(tx),
    registryRow: await readRegistryRow(tx),
    aggState: await readAggState(tx),
    verified: true,
    dumpFile: null,
    dumpNote: null,
  };
}

export async function functionRestoreTrial(ctx: TrialContext): Promise<ValidationItem> {
  const name = 'Rollback · restore of the pipeline functions and the registry';
  return trial(name, ctx.database.sql, ctx.config, async (tx) => {
    await applySchemaFix(tx);
    const backup = await backupAsNow(tx);
    await tx.unsafe(REGISTRY_UPDATE_SQL);
    const plan = await planAggregatorReplacement(tx, process.env, { migrationRunId: ctx.migrationRunId });
    if (!plan.ok) return finding('write-trial', name, `not tried: phase 5 cannot replace ${AGGREGATOR_5M} (above)`);
    for (const statement of plan.statements) await tx.unsafe(statement);
    const changes = await restoreFunctions(tx, backup, (t, text) => t.unsafe(text));
    await tx.unsafe(RESTORE_REGISTRY_SQL, [JSON.stringify(toJsonValue(backup.registryRow?.metadata ?? {}))]);
    const problems = await compareFunctions({ sql: tx }, backup);
    const registry = await readRegistryRow(tx);
    if (JSON.stringify(registry?.metadata ?? null) !== JSON.stringify(backup.registryRow?.metadata ?? null))
      problems.push('DXY’s registry metadata differs from the backup after its restore');
    if (problems.length > 0) return noGo('write-trial', name, `after the restore: ${problems.join('; ')}`);
    return go(
      'write-trial',
      name,
      `after phase 5’s replacement the restore put back ${changes.length > 0 ? changes.join('; ') : 'nothing'}; every function and the registry row as backed up (rolled back)`,
    );
  });
}
