/**
 * Rollback (available from phase 3 on; DESIGN §3.3, defect 10). In order: switch the workers
 * back to legacy; restore the aggregator function and DXY's registry metadata from phase 1's
 * backup; restore exactly the rows this migration run soft-deleted (never by timestamp); back-fill
 * every minute that reached only data_bars into derived_data_bars; then, by the operator's
 * choice, keep the DXY rows in data_bars or delete the ones the migration added (`delete` needs an
 * approver who is not the requester). Finally waits until the legacy path produces again.
 */
import type { TransactionSql } from 'postgres';
import { DXY_COMPONENTS } from '../../market/dxy';
import { backedUpFunction, backupTableName, getBackup, type StoredBackup } from '../backup';
import { backfillLegacyRange } from '../copy-legacy';
import { requireSucceeded } from '../preconditions';
import type { Check, PhaseContext, PhaseDefinition } from '../types';

export type RollbackDataChoice = 'keep' | 'delete';

type Stage = 'deploy-legacy' | 'restore-functions' | 'restore-soft-deleted' | 'backfill' | 'delete-new' | 'prove';

interface RollbackCheckpoint {
  stage?: Stage;
  dxyRowsAtStart?: number;
  deployedAt?: string;
  backfillCursor?: string;
  backfilled?: number;
  restored?: number;
  deleted?: number;
}

const MINUTE = 60_000;
const BATCH_MINUTES = 14 * 24 * 60;
const DELETE_BATCH = 20_000;

export function rollbackChoiceOf(options: Record<string, unknown>): RollbackDataChoice {
  return options.data === 'delete' ? 'delete' : 'keep';
}

async function requireBackup(ctx: PhaseContext): Promise<StoredBackup> {
  const backup = await getBackup(ctx.sql, { migrationRunId: ctx.run.migrationRunId });
  if (!backup?.verified) throw new Error('No verified phase-1 backup for this migration run: nothing to roll back to.');
  return backup;
}

/** Legacy DXY minutes written by the legacy writer itself (not back-filled) since the switch back. */
async function countLegacyMinutesSince(ctx: PhaseContext, since: Date): Promise<number> {
  const [row] = await ctx.sql<{ n: number }[]>`
    select count(*)::int as n from public.derived_data_bars
     where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null and source = 'dxy'
       and ts_utc >= ${since} and (raw->>'backfilled_from') is null`;
  return row?.n ?? 0;
}

async function restoreRegistry(tx: TransactionSql, backup: StoredBackup): Promise<void> {
  const [column] = await tx`select 1 from information_schema.columns
                             where table_schema = 'public' and table_name = 'core_asset_registry_all' and column_name = 'metadata'`;
  if (!column) return;
  const before = (backup.registryRow?.metadata ?? {}) as Record<string, unknown>;
  await tx`update public.core_asset_registry_all set metadata = ${tx.json(before as never)} where canonical_symbol = 'DXY'`;
}

export const rollbackPhase: PhaseDefinition = {
  id: 'rollback',
  number: null,
  title: 'Rollback',
  description:
    'Switches the workers back to legacy; restores the aggregator function and the DXY registry metadata from the backup; restores ' +
    'exactly the legacy rows this run soft-deleted; back-fills every DXY minute that reached only data_bars into ' +
    'derived_data_bars; keeps or deletes (approver required) the DXY rows the migration added to data_bars; then waits until the ' +
    'legacy path produces new minutes again.',
  roles: ['operator'],
  pausable: false,

  async preconditions(ctx) {
    return [await requireSucceeded(ctx, '3', 'Phase 3 reached (rollback is available from phase 3 on)')];
  },

  async preview({ database, migrationRunId, options }) {
    const choice = rollbackChoiceOf(options);
    const [counts] = await database.sql<{ data_bars: number; only_new: number; soft_deleted: number }[]>`
      select (select count(*)::float8 from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m') as data_bars,
             (select count(*)::float8 from public.data_bars n where n.canonical_symbol = 'DXY' and n.timeframe = '1m'
                 and not exists (select 1 from public.derived_data_bars d where d.canonical_symbol = 'DXY' and d.timeframe = '1m'
                                   and d.ts_utc = n.ts_utc and d.deleted_at is null)) as only_new,
             (select count(*)::float8 from cutover.soft_deleted_rows where migration_run_id = ${migrationRunId ?? 0}
                 and restored_at is null) as soft_deleted`;
    return {
      summary: [
        'workers.deploy("legacy"), workers.restart().',
        'Restore aggregate_1m_to_5m_window from the backup definition; restore DXY registry metadata from the backup row.',
        `Restore the ${counts?.soft_deleted ?? 0} legacy rows this run soft-deleted (by id, skipping any key that has an active row).`,
        `Back-fill ${counts?.only_new ?? 0} DXY minutes that exist only in data_bars into derived_data_bars.`,
        choice === 'delete'
          ? `Delete the DXY rows the migration added to data_bars (${counts?.data_bars ?? 0} now; rows present at backup time stay).`
          : `Keep the ${counts?.data_bars ?? 0} DXY rows in data_bars (ignored by the legacy path).`,
        'Wait for new legacy DXY minutes after the switch back.',
      ],
      sql: [
        'CREATE OR REPLACE FUNCTION public.aggregate_1m_to_5m_window … -- the definition saved by phase 1',
        "UPDATE public.core_asset_registry_all SET metadata = :backed_up_metadata WHERE canonical_symbol = 'DXY'",
        'UPDATE public.derived_data_bars SET deleted_at = NULL WHERE id IN (SELECT derived_id FROM cutover.soft_deleted_rows WHERE migration_run_id = :run) AND no active row has the key',
        'INSERT INTO public.derived_data_bars … SELECT … FROM public.data_bars n WHERE NOT EXISTS (active legacy row) ON CONFLICT DO NOTHING',
        ...(choice === 'delete'
          ? [
              "DELETE FROM public.data_bars d WHERE canonical_symbol = 'DXY' AND NOT EXISTS (SELECT 1 FROM cutover.backup_run<id>_data_bars b WHERE b.id = d.id)",
            ]
          : []),
      ],
      estimates: {
        'minutes to back-fill': counts?.only_new ?? 0,
        'soft-deleted rows to restore': counts?.soft_deleted ?? 0,
      },
    };
  },

  async execute(ctx) {
    const checkpoint = ctx.run.checkpoint as RollbackCheckpoint;
    const now = ctx.clock.now();
    const choice = rollbackChoiceOf(ctx.run.options);
    const backup = await requireBackup(ctx);
    switch (checkpoint.stage ?? 'deploy-legacy') {
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
          async (tx) => {
            const [row] = await tx<
              { n: number }[]
            >`select count(*)::int as n from public.data_bars where canonical_symbol = 'DXY'`;
            return row?.n ?? 0;
          },
          (dxyRowsAtStart) => ({
            checkpoint: { stage: 'restore-functions', deployedAt: now.toISOString(), dxyRowsAtStart },
          }),
        );
        return { state: 'continue' };
      }
      case 'restore-functions': {
        const saved = backedUpFunction(backup, 'aggregate_1m_to_5m_window');
        if (!saved) throw new Error('The backup holds no definition of aggregate_1m_to_5m_window.');
        await ctx.commitStep(
          async (tx) => {
            await tx.unsafe(saved.definition);
            await restoreRegistry(tx, backup);
          },
          () => ({ checkpoint: { ...checkpoint, stage: 'restore-soft-deleted' } }),
        );
        await ctx.log('Restored the aggregator function and the DXY registry metadata from the backup.');
        return { state: 'continue' };
      }
      case 'restore-soft-deleted': {
        const restored = await ctx.commitStep(
          async (tx) => {
            const rows = await tx`
              with target as (
                select s.derived_id from cutover.soft_deleted_rows s
                 where s.migration_run_id = ${ctx.run.migrationRunId} and s.restored_at is null
                 limit ${DELETE_BATCH}),
              restored as (
                update public.derived_data_bars d set deleted_at = null
                  from target t
                 where d.id = t.derived_id and d.deleted_at is not null
                   and not exists (select 1 from public.derived_data_bars a where a.canonical_symbol = d.canonical_symbol
                                     and a.timeframe = d.timeframe and a.ts_utc = d.ts_utc and a.deleted_at is null)
                returning d.id)
              update cutover.soft_deleted_rows s set restored_at = now()
                from target t where s.migration_run_id = ${ctx.run.migrationRunId} and s.derived_id = t.derived_id
              returning (s.derived_id in (select id from restored)) as restored`;
            return { handled: rows.length, restored: rows.filter((r) => r.restored).length };
          },
          (value) => ({
            checkpoint: {
              ...checkpoint,
              restored: (checkpoint.restored ?? 0) + value.restored,
              stage: value.handled < DELETE_BATCH ? 'backfill' : 'restore-soft-deleted',
            },
          }),
        );
        if (restored.handled > 0)
          await ctx.log(`Restored ${restored.restored} soft-deleted legacy rows (${restored.handled} handled).`);
        return { state: 'continue' };
      }
      case 'backfill': {
        const [first] = await ctx.sql<{ first: Date | null; last: Date | null }[]>`
          select min(ts_utc) as first, max(ts_utc) as last from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m'`;
        const from = checkpoint.backfillCursor ? new Date(checkpoint.backfillCursor) : first?.first;
        if (!from || !first?.last || from > first.last) {
          await ctx.commitStep(
            async () => null,
            () => ({ checkpoint: { ...checkpoint, stage: choice === 'delete' ? 'delete-new' : 'prove' } }),
          );
          await ctx.log(`Back-filled ${checkpoint.backfilled ?? 0} minutes into derived_data_bars.`);
          return { state: 'continue' };
        }
        const to = new Date(from.getTime() + BATCH_MINUTES * MINUTE);
        await ctx.commitStep(
          (tx) => backfillLegacyRange(tx, { from, to }),
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
      case 'delete-new': {
        const copy = `cutover.${backupTableName(ctx.run.migrationRunId, 'data_bars')}`;
        const deleted = await ctx.commitStep(
          async (tx) => {
            const result = await tx.unsafe(
              `DELETE FROM public.data_bars WHERE id IN (
                 SELECT d.id FROM public.data_bars d
                  WHERE d.canonical_symbol = 'DXY' AND NOT EXISTS (SELECT 1 FROM ${copy} b WHERE b.id = d.id)
                  LIMIT ${DELETE_BATCH})`,
            );
            return result.count;
          },
          (count) => ({
            checkpoint: {
              ...checkpoint,
              deleted: (checkpoint.deleted ?? 0) + count,
              stage: count < DELETE_BATCH ? 'prove' : 'delete-new',
            },
          }),
        );
        if (deleted < DELETE_BATCH)
          await ctx.log(
            `Deleted ${(checkpoint.deleted ?? 0) + deleted} DXY rows the migration had added to data_bars.`,
          );
        return { state: 'continue' };
      }
      case 'prove': {
        const deployedAt = new Date(checkpoint.deployedAt as string);
        if ((await countLegacyMinutesSince(ctx, deployedAt)) > 0) return { state: 'done' };
        if ((now.getTime() - deployedAt.getTime()) / MINUTE > ctx.config.deploymentProofMinutes) {
          throw new Error(
            `The legacy path wrote no DXY minute in the ${ctx.config.deploymentProofMinutes} minutes after the switch back.`,
          );
        }
        return { state: 'wait', reason: `waiting for a legacy DXY minute after ${deployedAt.toISOString()}` };
      }
    }
    return { state: 'done' };
  },

  async verify(ctx) {
    const backup = await requireBackup(ctx);
    const checkpoint = ctx.run.checkpoint as RollbackCheckpoint;
    const choice = rollbackChoiceOf(ctx.run.options);
    const since = new Date(backup.takenAt.getTime() - 60 * MINUTE);
    const now = ctx.clock.now();
    const [gap] = await ctx.sql<{ n: number; samples: string[] | null }[]>`
      select count(*)::int as n, (array_agg(ts_utc::text order by ts_utc))[1:5] as samples from (
        select c.ts_utc from public.data_bars c
         where c.timeframe = '1m' and c.canonical_symbol in ${ctx.sql([...DXY_COMPONENTS])}
           and c.close > 0 and c.ts_utc >= (select min(ts_utc) from cutover.${ctx.sql.unsafe(backupTableName(ctx.run.migrationRunId, 'derived_data_bars'))})
           and c.ts_utc < ${new Date(now.getTime() - 2 * MINUTE)}
         group by c.ts_utc having count(*) = 6) complete
       where not exists (select 1 from public.derived_data_bars d where d.canonical_symbol = 'DXY' and d.timeframe = '1m'
                           and d.ts_utc = complete.ts_utc and d.deleted_at is null)`;
    const onlyNew = await ctx.sql<{ n: number }[]>`
      select count(*)::int as n from public.data_bars n where n.canonical_symbol = 'DXY' and n.timeframe = '1m'
         and not exists (select 1 from public.derived_data_bars d where d.canonical_symbol = 'DXY' and d.timeframe = '1m'
                           and d.ts_utc = n.ts_utc and d.deleted_at is null)`;
    const [dataBars] = await ctx.sql.unsafe<{ now: number; added: number }[]>(
      `SELECT (SELECT count(*)::int FROM public.data_bars WHERE canonical_symbol = 'DXY') AS now,
              (SELECT count(*)::int FROM public.data_bars d WHERE d.canonical_symbol = 'DXY'
                  AND NOT EXISTS (SELECT 1 FROM cutover.${backupTableName(ctx.run.migrationRunId, 'data_bars')} b WHERE b.id = d.id)) AS added`,
    );
    const [fn] = await ctx.sql<{ definition: string }[]>`
      select pg_get_functiondef('public.aggregate_1m_to_5m_window(text, timestamptz, timestamptz)'::regprocedure) as definition`;
    const [registry] = await ctx.sql<{ metadata: unknown }[]>`
      select to_jsonb(r)->'metadata' as metadata from public.core_asset_registry_all r where canonical_symbol = 'DXY'`;
    const [pending] = await ctx.sql<{ n: number }[]>`
      select count(*)::int as n from cutover.soft_deleted_rows s join public.derived_data_bars d on d.id = s.derived_id
       where s.migration_run_id = ${ctx.run.migrationRunId} and d.deleted_at is not null
         and not exists (select 1 from public.derived_data_bars a where a.canonical_symbol = d.canonical_symbol
                           and a.timeframe = d.timeframe and a.ts_utc = d.ts_utc and a.deleted_at is null)`;
    const savedFn = backedUpFunction(backup, 'aggregate_1m_to_5m_window');
    const savedMetadata = backup.registryRow?.metadata ?? {};
    const status = await ctx.workers.status();
    const legacySince = await countLegacyMinutesSince(ctx, new Date(checkpoint.deployedAt as string));
    const checks: Check[] = [
      {
        name: 'Workers back in mode legacy',
        passed: status.mode === 'legacy' || (status.mode === null && status.healthy),
        detail: `${status.mode ?? 'not reported'}: ${status.detail}`,
      },
      {
        name: 'Aggregator function as before the migration',
        passed: fn?.definition === savedFn?.definition,
        detail: fn?.definition === savedFn?.definition ? 'identical to the backup' : 'differs from the backup',
      },
      {
        name: 'Registry metadata as before the migration',
        passed:
          registry?.metadata === null || registry?.metadata === undefined
            ? Object.keys(savedMetadata).length === 0
            : JSON.stringify(registry.metadata) === JSON.stringify(savedMetadata),
        detail: JSON.stringify(registry?.metadata ?? null),
      },
      {
        name: 'Soft-deleted rows restored',
        passed: (pending?.n ?? 0) === 0,
        detail: `${checkpoint.restored ?? 0} restored; ${pending?.n ?? 0} still deleted without an active replacement`,
      },
      {
        name: 'No legacy gap: every complete minute has a legacy row',
        passed: (gap?.n ?? 0) === 0 && (onlyNew[0]?.n ?? 0) === 0,
        detail:
          `${gap?.n ?? 0} complete component minutes without a legacy row${gap?.samples?.length ? ` (first: ${gap.samples.join(', ')})` : ''}; ` +
          `${onlyNew[0]?.n ?? 0} DXY minutes only in data_bars; ${checkpoint.backfilled ?? 0} back-filled`,
        evidence: { since: since.toISOString() },
      },
      choice === 'delete'
        ? {
            name: 'DXY rows added by the migration deleted from data_bars',
            passed: (dataBars?.added ?? 0) === 0,
            detail: `${dataBars?.now ?? 0} DXY rows remain (all present at backup time)`,
          }
        : {
            name: 'DXY rows in data_bars kept',
            passed: (dataBars?.now ?? 0) >= (checkpoint.dxyRowsAtStart ?? 0),
            detail: `${dataBars?.now ?? 0} DXY rows in data_bars (${checkpoint.dxyRowsAtStart ?? 0} when the rollback started)`,
          },
      {
        name: 'Legacy path producing again',
        passed: legacySince > 0,
        detail: `${legacySince} DXY minutes written by the legacy path since ${checkpoint.deployedAt}`,
      },
    ];
    return { passed: checks.every((c) => c.passed), checks };
  },
};
