/**
 * Phase 9 — soft-delete the legacy DXY 1m rows, with two people (DESIGN §3.3, defect 9). An
 * operator requests it; an approver who is not the requester approves by typing DXY. Allowed only
 * after a complete 24-hour window with no FAIL hour (or FAIL hours an approver waived) and a
 * verified backup. It first deploys the workers in mode final and proves the legacy writer has
 * stopped; then soft-deletes in batches, recording every row it deletes so a rollback restores
 * exactly those; then checks that zero active legacy rows remain, and still zero ten minutes later.
 */
import { readMonitorState } from '../../monitor/read-monitor-state';
import { getBackup } from '../backup';
import { requireSucceeded } from '../preconditions';
import type { Check, PhaseDefinition } from '../types';

type Stage = 'deploying' | 'proving-stop' | 'soft-deleting' | 'holding';

interface SoftDeleteCheckpoint {
  stage?: Stage;
  deployedAt?: string;
  deletedRows?: number;
  deletedAt?: string;
  totalAtStart?: number;
}

const MINUTE = 60_000;
/** How long the legacy writer must have been silent (while components arrive) before deleting. */
const STOP_PROOF_MINUTES = 3;
export const HOLD_MINUTES = 10;

async function activeLegacyCount(sql: import('postgres').Sql): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null`;
  return row?.n ?? 0;
}

export const SOFT_DELETE_SQL = `WITH target AS (
  SELECT id, ts_utc FROM public.derived_data_bars
   WHERE canonical_symbol = 'DXY' AND timeframe = '1m' AND deleted_at IS NULL
   ORDER BY ts_utc LIMIT $batch
), deleted AS (
  UPDATE public.derived_data_bars d SET deleted_at = $clock_now FROM target t WHERE d.id = t.id RETURNING d.id, d.ts_utc
)
INSERT INTO cutover.soft_deleted_rows (migration_run_id, derived_id, ts_utc) SELECT $run, id, ts_utc FROM deleted`;

export const phase9SoftDelete: PhaseDefinition = {
  id: '9',
  number: 9,
  title: 'Soft-delete legacy rows',
  description:
    'After a complete, clean 24-hour window and an approver’s confirmation: deploys the workers in mode final and proves the ' +
    'legacy writer stopped; sets deleted_at on every active legacy DXY 1m row in batches, recording each row so a rollback ' +
    `restores exactly them; verifies that zero active legacy rows remain, and still zero ${HOLD_MINUTES} minutes later.`,
  roles: ['operator'],
  pausable: false,

  async preconditions(ctx) {
    const checks: Check[] = [await requireSucceeded(ctx, '7', 'Phase 7 (deployment) succeeded')];
    const monitor = await readMonitorState(ctx.database.sql, { now: ctx.clock.now() });
    checks.push({
      name: '24-hour window complete',
      passed: monitor.complete,
      detail: monitor.window ? `${monitor.taken} of 24 hourly snapshots` : 'the window has not started',
    });
    checks.push({
      name: 'No FAIL hour (or each waived by an approver)',
      passed: monitor.complete && monitor.unwaivedFailures === 0,
      detail: `${monitor.unwaivedFailures} FAIL hours without a waiver`,
    });
    const backup =
      ctx.migrationRunId === null ? null : await getBackup(ctx.database.sql, { migrationRunId: ctx.migrationRunId });
    checks.push({
      name: 'Verified backup',
      passed: Boolean(backup?.verified),
      detail: backup ? `backup #${backup.id}, ${backup.verified ? 'verified' : 'NOT verified'}` : 'no backup',
    });
    return checks;
  },

  async preview({ database, config }) {
    const count = await activeLegacyCount(database.sql);
    const batchRows = config.softDeleteBatchRows;
    return {
      summary: [
        'workers.deploy("final"), workers.restart(): DXY written to data_bars only.',
        `Wait until the legacy writer has written nothing for ${STOP_PROOF_MINUTES} minutes while the components keep arriving.`,
        `Soft-delete the ${count.toLocaleString('en-US')} active legacy DXY 1m rows in batches of ${batchRows.toLocaleString('en-US')}, recording each one.`,
        `Verify zero active legacy rows remain, and again ${HOLD_MINUTES} minutes later.`,
      ],
      sql: [SOFT_DELETE_SQL],
      estimates: { 'rows to soft-delete': count, batches: Math.max(1, Math.ceil(count / batchRows)) },
    };
  },

  async execute(ctx) {
    const checkpoint = ctx.run.checkpoint as SoftDeleteCheckpoint;
    const now = ctx.clock.now();
    switch (checkpoint.stage) {
      case undefined:
      case 'deploying': {
        const status = await ctx.workers.status();
        if (checkpoint.stage === 'deploying' && status.mode === 'final') {
          await ctx.log('Resumed: the workers already run in mode final; not deploying again.', {}, 'warn');
        } else {
          await ctx.commitStep(
            async () => null,
            () => ({ checkpoint: { stage: 'deploying', deployedAt: now.toISOString() } }),
          );
          const output = await ctx.workers.deploy('final');
          await ctx.workers.restart();
          await ctx.log('Deployed workers in mode final (legacy writer off).', output ? { output } : {});
        }
        const total = await activeLegacyCount(ctx.sql);
        await ctx.commitStep(
          async () => null,
          () => ({
            checkpoint: {
              stage: 'proving-stop',
              deployedAt: checkpoint.deployedAt ?? now.toISOString(),
              totalAtStart: total,
              deletedRows: 0,
            },
            progress: { rowsDone: 0, rowsTotal: total, percent: 0 },
          }),
        );
        return { state: 'continue' };
      }
      case 'proving-stop': {
        const deployedAt = new Date(checkpoint.deployedAt as string);
        const quietFrom = new Date(deployedAt.getTime() + MINUTE);
        if (now.getTime() < quietFrom.getTime() + STOP_PROOF_MINUTES * MINUTE) {
          return { state: 'wait', reason: 'waiting to prove the legacy writer stopped' };
        }
        const [row] = await ctx.sql<{ legacy: number; components: number }[]>`
          select (select count(*)::int from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
                    and ts_utc >= ${quietFrom} and deleted_at is null and raw->>'backfilled_from' is null) as legacy,
                 (select count(*)::int from public.data_bars where canonical_symbol = 'EURUSD' and timeframe = '1m'
                    and ts_utc >= ${quietFrom}) as components`;
        if ((row?.legacy ?? 0) > 0) {
          throw new Error(
            `The legacy writer is still on: ${row?.legacy} legacy DXY minutes since ${quietFrom.toISOString()}. Nothing was deleted.`,
          );
        }
        await ctx.log(
          `Legacy writer stopped: no legacy minute since ${quietFrom.toISOString()} while ${row?.components ?? 0} component minutes arrived.`,
        );
        await ctx.commitStep(
          async () => null,
          () => ({ checkpoint: { ...checkpoint, stage: 'soft-deleting' } }),
        );
        return { state: 'continue' };
      }
      case 'soft-deleting': {
        const batchRows = ctx.config.softDeleteBatchRows;
        const deleted = await ctx.commitStep(
          async (tx) => {
            const result = await tx`
              with target as (
                select id, ts_utc from public.derived_data_bars
                 where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null
                 order by ts_utc limit ${batchRows}
              ), deleted as (
                update public.derived_data_bars d set deleted_at = ${now} from target t where d.id = t.id returning d.id, d.ts_utc
              )
              insert into cutover.soft_deleted_rows (migration_run_id, derived_id, ts_utc)
              select ${ctx.run.migrationRunId}, id, ts_utc from deleted`;
            return result.count;
          },
          (count) => {
            const done = (checkpoint.deletedRows ?? 0) + count;
            const total = Math.max(checkpoint.totalAtStart ?? done, done);
            return {
              checkpoint: {
                ...checkpoint,
                deletedRows: done,
                ...(count < batchRows ? { stage: 'holding', deletedAt: now.toISOString() } : {}),
              },
              progress: { rowsDone: done, rowsTotal: total, percent: (100 * done) / Math.max(1, total) },
            };
          },
        );
        if (deleted < batchRows)
          await ctx.log(`Soft-deleted ${(checkpoint.deletedRows ?? 0) + deleted} legacy DXY 1m rows.`);
        return { state: 'continue' };
      }
      case 'holding': {
        const deletedAt = new Date(checkpoint.deletedAt as string);
        if (now.getTime() < deletedAt.getTime() + HOLD_MINUTES * MINUTE) {
          return { state: 'wait', reason: `holding ${HOLD_MINUTES} minutes to see that no legacy row reappears` };
        }
        return { state: 'done' };
      }
    }
  },

  async verify(ctx) {
    const checkpoint = ctx.run.checkpoint as SoftDeleteCheckpoint;
    const remaining = await activeLegacyCount(ctx.sql);
    const [tagged] = await ctx.sql<{ n: number }[]>`
      select count(*)::int as n from cutover.soft_deleted_rows where migration_run_id = ${ctx.run.migrationRunId} and restored_at is null`;
    const [fresh] = await ctx.sql<{ n: number }[]>`
      select count(*)::int as n from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
         and ts_utc >= ${new Date(checkpoint.deletedAt as string)}`;
    const status = await ctx.workers.status();
    const checks: Check[] = [
      {
        name: `Zero active legacy DXY 1m rows, ${HOLD_MINUTES} minutes after the soft-delete`,
        passed: remaining === 0,
        detail: `${remaining} active rows at ${ctx.clock.now().toISOString()}`,
      },
      {
        name: 'Every soft-deleted row recorded for the rollback',
        passed: (tagged?.n ?? 0) === (checkpoint.deletedRows ?? -1),
        detail: `${tagged?.n ?? 0} recorded, ${checkpoint.deletedRows ?? 0} soft-deleted`,
      },
      {
        name: 'Workers in mode final',
        passed: status.mode === 'final' || (status.mode === null && status.healthy),
        detail: `${status.mode ?? 'not reported'}: ${status.detail}`,
      },
      {
        name: 'DXY still arriving in data_bars',
        passed: (fresh?.n ?? 0) > 0,
        detail: `${fresh?.n ?? 0} new DXY minutes in data_bars since the soft-delete`,
      },
    ];
    return { passed: checks.every((c) => c.passed), checks };
  },
};
