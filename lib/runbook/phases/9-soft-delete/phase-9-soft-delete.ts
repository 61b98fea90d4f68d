/**
 * Phase 9 — soft-delete the legacy DXY 1m rows, with two people (defect 9). An operator requests
 * it; an approver who is not the requester approves by typing DXY (and, when the final proof
 * listed differing minutes, by typing their count to waive them). Allowed only after a complete
 * monitoring window with no unwaived FAIL hour, a verified backup, and an open market. In order:
 * 1. the final proof: every active legacy minute of the whole history is in data_bars with the
 *    same close (the compare query); any difference not waived stops the phase, listing the minutes;
 * 2. deploy the workers in mode final and prove the legacy writer stopped by write time
 *    (updated_at/created_at of legacy rows, not their bar time) while component minutes keep arriving;
 * 3. soft-delete in batches, recording every row so a rollback restores exactly those — and only
 *    rows whose minute is in data_bars with the same close (or waived);
 * 4. check that zero active legacy rows remain, and still zero after ten open-market minutes.
 * Every count is over the whole migration run: a re-run after a failed or killed attempt continues
 * and verifies what all attempts did.
 */

import type { Sql } from 'postgres';
import { z } from 'zod';
import { waitForDataFrontier } from '../../../market/data-frontier-wait';
import { DXY_CLOSE_TOLERANCE, DXY_COMPONENTS } from '../../../market/dxy';
import { componentClosesCte, componentsCompleteSql, dxyValueSql } from '../../../market/dxy-sql';
import { countOpenMinutes, floorToMinute, isFxOpen } from '../../../market/market-hours';
import { defaultMaxSettleMinutes } from '../../../monitor/monitor-window';
import { readMonitorState } from '../../../monitor/read-monitor-state';
import { MINUTE_MS } from '../../../time-units';
import { definePhase } from '../../engine/define-phase';
import { retryOnLockConflict } from '../../engine/lock-conflict-retry';
import { paceNextBatch } from '../../engine/pacing/pace-next-batch';
import { requireSucceeded } from '../../engine/preconditions';
import { bound, type PlannedStatement, planned } from '../../engine/statements';
import type { PhaseContext } from '../../engine/types';
import type { Check } from '../../engine/verification';
import { workerModeVerdict } from '../../worker-control/worker-mode-check';
import { backupTableName, getBackup } from '../shared/backup';
import { fenceSiteCheck, inspectFenceSite, installFence, planFenceInstall, tryFence } from '../shared/legacy-fence';
import {
  describeWriters,
  fenceProblems,
  readFenceHistory,
  readFenceRefusals,
  readFenceState,
  refusalsFinding,
} from '../shared/legacy-fence-state';
import { nextFxOpen } from '../shared/legacy-path-proof';
import { readColumns } from '../shared/schema-inspection';
import { describeDifferences, proveLegacyInDataBars, reconcileWayOut, waiveFinalProof, waiverOf } from './final-proof';
import { reportSoftDeleteBloat } from './soft-delete-bloat';

const SOFT_DELETE_CHECKPOINT = z.looseObject({
  stage: z.enum(['final-proof', 'deploying', 'proving-stop', 'soft-deleting', 'holding']).optional(),
  deployedAt: z.string().optional(),
  /** Clock time from which the legacy writer must be silent. */
  quietFrom: z.string().optional(),
  /** The database's own time at quietFrom: legacy rows' updated_at/created_at are compared with it. */
  quietFromDb: z.string().optional(),
  /** Rows this attempt soft-deleted. */
  deletedRows: z.number().optional(),
  /** Rows earlier attempts of this migration run soft-deleted (and no rollback restored). */
  deletedBefore: z.number().optional(),
  deletedAt: z.string().optional(),
  totalAtStart: z.number().optional(),
  /** Clock and database time the fence on legacy writes was installed (../legacy-fence.ts), with the switch. */
  fenceInstalledAt: z.string().optional(),
  fenceInstalledAtDb: z.string().optional(),
});
type SoftDeleteCheckpoint = z.infer<typeof SOFT_DELETE_CHECKPOINT>;

/** How long the legacy writer must have been silent (while components arrive) before deleting. */
const STOP_PROOF_MINUTES = 3;
export const HOLD_MINUTES = 10;
/** The market must stay open this long after a start: the stop proof and the hold need arriving components. */
const OPEN_MARKET_NEEDED_MINUTES = 30;

async function activeLegacyCount(sql: Sql): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null`;
  return row?.n ?? 0;
}

async function recordedSoftDeletes(sql: Sql, migrationRunId: number): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from cutover.soft_deleted_rows where migration_run_id = ${migrationRunId} and restored_at is null`;
  return row?.n ?? 0;
}

/**
 * One soft-delete batch: only minutes proven in data_bars with the same close (or waived), each
 * recorded so a rollback restores exactly them. A legacy row that appeared after the final proof
 * without reaching data_bars stays active, and the verification names it. A provider revision after
 * the fence went up changes data_bars (the new writer re-derives it) but not legacy (fenced): such a
 * minute counts as proven when data_bars holds exactly what the components give now.
 */
const SOFT_DELETE_BATCH_SQL = `WITH target AS (
  SELECT d.id, d.ts_utc FROM public.derived_data_bars d
   WHERE d.canonical_symbol = 'DXY' AND d.timeframe = '1m' AND d.deleted_at IS NULL
     AND (EXISTS (SELECT 1 FROM public.data_bars n WHERE n.canonical_symbol = 'DXY' AND n.timeframe = '1m'
                   AND n.ts_utc = d.ts_utc AND abs(n.close - d.close) <= ${DXY_CLOSE_TOLERANCE} * abs(d.close))
          OR d.ts_utc = ANY($1::timestamptz[])
          OR EXISTS (SELECT 1 FROM public.data_bars n,
                            LATERAL (${componentClosesCte('d.ts_utc', "d.ts_utc + interval '1 minute'")}) c
                      WHERE n.canonical_symbol = 'DXY' AND n.timeframe = '1m' AND n.ts_utc = d.ts_utc
                        AND ${componentsCompleteSql('c', { finite: true })}
                        AND abs(n.close - ${dxyValueSql('c')}) <= ${DXY_CLOSE_TOLERANCE} * abs(n.close)))
   ORDER BY d.ts_utc LIMIT $2
), deleted AS (
  UPDATE public.derived_data_bars d SET deleted_at = $3 FROM target t WHERE d.id = t.id RETURNING d.id, d.ts_utc
)
INSERT INTO cutover.soft_deleted_rows (migration_run_id, derived_id, ts_utc) SELECT $4, id, ts_utc FROM deleted`;

function softDeleteStatements(batchRows: number, migrationRunId: number | null): PlannedStatement[] {
  return [
    planned('soft-deleting', SOFT_DELETE_BATCH_SQL, [
      'the minutes the approver waived (none unless the final proof listed differences)',
      `${batchRows} (rows per batch)`,
      'the clock at the batch',
      migrationRunId === null ? 'the migration run' : `${migrationRunId} (the migration run)`,
    ]),
  ];
}

/** Market-hours condition of a start: open now and for the next half hour. */
export function marketOpenForPhase9(now: Date): { open: boolean; detail: string } {
  const until = new Date(now.getTime() + OPEN_MARKET_NEEDED_MINUTES * MINUTE_MS);
  if (isFxOpen(now) && isFxOpen(until)) return { open: true, detail: `open at ${now.toISOString()}` };
  const nextOpen = nextFxOpen(isFxOpen(now) ? until : now);
  return {
    open: false,
    detail:
      `the FX market is closed or closes within ${OPEN_MARKET_NEEDED_MINUTES} minutes; proving the legacy writer stopped needs ` +
      `component minutes arriving. Start after ${nextOpen.toISOString()}`,
  };
}

/** Legacy rows written (by write time) since `since`, except the rollback's own back-fills. */
async function legacyWritesSince(ctx: PhaseContext, since: Date): Promise<{ n: number; samples: string[] }> {
  const columns = await readColumns(ctx.sql, 'derived_data_bars');
  const written = ['updated_at', 'created_at'].filter((c) => columns.has(c));
  if (written.length === 0)
    throw new Error(
      'derived_data_bars has neither updated_at nor created_at: the legacy writer cannot be proven stopped by write time.',
    );
  const writtenAt = written.length === 2 ? 'greatest(updated_at, created_at)' : written[0];
  const [row] = await ctx.sql.unsafe<{ n: number; samples: string[] | null }[]>(
    `SELECT count(*)::int AS n,
            (array_agg(ts_utc::text || ' written ' || (${writtenAt})::text ORDER BY ${writtenAt}))[1:5] AS samples
       FROM public.derived_data_bars
      WHERE canonical_symbol = 'DXY' AND timeframe = '1m' AND deleted_at IS NULL
        AND raw->>'backfilled_from' IS NULL AND ${writtenAt} >= $1`,
    [since],
  );
  return { n: row?.n ?? 0, samples: row?.samples ?? [] };
}

/** Complete component minutes (all six) ingested since `since` (by ingested_at, their write time). */
async function componentMinutesIngestedSince(ctx: PhaseContext, since: Date): Promise<number> {
  const [row] = await ctx.sql<{ n: number }[]>`
    select count(*)::int as n from (
      select ts_utc from public.data_bars
       where timeframe = '1m' and canonical_symbol in ${ctx.sql([...DXY_COMPONENTS])}
         and ts_utc >= ${new Date(since.getTime() - 10 * MINUTE_MS)} and ingested_at >= ${since}
       group by ts_utc having count(*) = 6) m`;
  return row?.n ?? 0;
}

/** On-time component bars land within this of their minute's end: a frontier further back is late data. */
const INGEST_LAG_MS = 2 * MINUTE_MS;

export const phase9SoftDelete = definePhase({
  id: '9',
  number: 9,
  day: 3,
  estimateMinutes: 10,
  pointOfNoReturn:
    'Deploying the workers in mode final (the legacy writer stops); then each soft-delete batch commits with its record of the rows it deleted. Only the rollback undoes them, restoring exactly the recorded rows.',
  stages: [
    { id: 'final-proof', title: 'final proof over the whole history' },
    { id: 'deploying', title: 'deploy the workers in mode final' },
    { id: 'proving-stop', title: 'prove the legacy writer stopped' },
    { id: 'soft-deleting', title: 'soft-delete in batches, recording each row' },
    { id: 'holding', title: 'hold: zero active legacy rows stay zero' },
  ],
  checkpoint: SOFT_DELETE_CHECKPOINT,
  title: 'Soft-delete legacy rows',
  intent: 'Stop the legacy writer, soft-delete legacy DXY 1m, verify zero stay zero.',
  approval: {
    kind: 'soft-delete',
    word: 'DXY',
    summary: 'Phase 9: soft-delete every legacy DXY 1m row in derived_data_bars (legacy writer switched off first)',
  },
  description:
    'After a complete, clean monitoring window, with the market open and an approver’s confirmation: proves every active legacy ' +
    'DXY 1m minute of the whole history is in data_bars with the same close (differences stop the phase unless an approver ' +
    'waived them by typing their count); deploys the workers in mode final and proves by write time that the legacy writer ' +
    'stopped; sets deleted_at on every proven legacy row in batches, recording each so a rollback restores exactly them; ' +
    `verifies that zero active legacy rows remain, and still zero ${HOLD_MINUTES} open-market minutes later. Counts cover every attempt.`,

  async preconditions(ctx) {
    const checks: Check[] = [await requireSucceeded(ctx, '7', 'Phase 7 (deployment) succeeded')];
    const now = ctx.clock.now();
    const monitor = await readMonitorState(ctx.database.sql, { now });
    checks.push({
      name: '24-hour window complete',
      passed: monitor.complete,
      detail: monitor.window ? `${monitor.taken} hourly snapshots` : 'the window has not started',
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
    const market = marketOpenForPhase9(now);
    checks.push({ name: 'Market open', passed: market.open, detail: market.detail, startOnly: true });
    checks.push(await fenceSiteCheck(ctx.database.sql));
    return checks;
  },

  async preview({ database, config, migrationRunId }) {
    const count = await activeLegacyCount(database.sql);
    const batchRows = config.softDeleteBatchRows;
    return {
      summary: [
        'Final proof over the whole history (the compare query): every active legacy DXY 1m minute in data_bars with the same close. ' +
          'Any difference not waived (by count, with the approval) stops the phase before anything changes.',
        'workers.deploy("final"), workers.restart(): DXY written to data_bars only.',
        'Fence legacy writes in the database, in one transaction that checks it before committing: a trigger on derived_data_bars ' +
          'skips and records every write of an active legacy DXY 1m row (any writer, any role); soft-deleting and other symbols ' +
          'and timeframes pass. A trial legacy insert in a savepoint must be refused, then is rolled back.',
        `Wait until no legacy row has been written (updated_at/created_at) for ${STOP_PROOF_MINUTES} minutes while complete component minutes keep arriving.`,
        `Soft-delete the ${count.toLocaleString('en-US')} active legacy DXY 1m rows in batches of ${batchRows.toLocaleString('en-US')} ` +
          '(only minutes proven in data_bars, or waived), recording each one.',
        `Verify zero active legacy rows remain, and again after ${HOLD_MINUTES} open-market minutes.`,
      ],
      sql: [],
      statements: [
        ...(await planFenceInstall(database.sql, 'deploying')),
        ...softDeleteStatements(batchRows, migrationRunId),
      ],
      estimates: { 'rows to soft-delete': count, batches: Math.max(1, Math.ceil(count / batchRows)) },
    };
  },

  // The final proof, taken at the request so the approver sees each differing minute and can
  // waive them only by their count.
  async onStart({ database, clock }) {
    const proof = await proveLegacyInDataBars(database.sql, { to: new Date(clock.now().getTime() + MINUTE_MS) });
    return {
      options: { finalProof: { total: proof.total, listed: proof.listed, legacyMinutes: proof.legacyMinutes } },
      approvalNote:
        proof.total > 0
          ? `. FINAL PROOF: ${proof.total} legacy minutes are not in data_bars with the same close: ${describeDifferences(proof.listed, 20)}. ` +
            `Approving waives them: type their count (${proof.total}) as well.`
          : `. Final proof: all ${proof.legacyMinutes} active legacy minutes are in data_bars with the same close.`,
    };
  },
  // The approver waives the listed differences only by typing their count.
  async onApprove({ run, approver, waiveCount }) {
    const waiver = waiveFinalProof(run.options, waiveCount, approver);
    return waiver
      ? { options: { waiver }, reason: `Waived ${waiver.count} listed differences: ${waiver.minutes.join(', ')}` }
      : {};
  },
  changesWhenStarted: 'switched the workers and soft-deleted legacy rows',
  async execute(ctx) {
    const checkpoint = ctx.run.checkpoint as SoftDeleteCheckpoint;
    const now = ctx.clock.now();
    const waiver = waiverOf(ctx.run.options);
    switch (checkpoint.stage ?? 'final-proof') {
      case 'final-proof': {
        const proof = await proveLegacyInDataBars(ctx.sql, { to: new Date(now.getTime() + MINUTE_MS) });
        const waived = new Set(waiver?.minutes ?? []);
        const open = proof.listed.filter((d) => !waived.has(d.tsUtc));
        if (open.length > 0 || proof.total > proof.listed.length) {
          throw new Error(
            `Final proof failed: ${proof.total} active legacy DXY minutes are not in data_bars with the same close ` +
              `(${open.length} not waived): ${describeDifferences(open.length > 0 ? open : proof.listed)}. Nothing was changed. ` +
              `${reconcileWayOut(open.length > 0 ? open : proof.listed)}; or request phase 9 again and have an approver waive them by typing their count.`,
          );
        }
        await ctx.commitStep(
          async () => null,
          () => ({
            checkpoint: { stage: 'deploying' },
            result: {
              finalProof: {
                legacyMinutes: proof.legacyMinutes,
                differences: proof.total,
                waived: proof.listed.map((d) => d.tsUtc),
                from: proof.from,
                to: proof.to,
              },
            },
          }),
        );
        await ctx.log(
          `Final proof: ${proof.legacyMinutes} active legacy minutes since ${proof.from ?? '—'} compared; ` +
            (proof.total === 0
              ? 'all in data_bars with the same close.'
              : `${proof.total} differ, each waived by ${waiver?.by}: ${describeDifferences(proof.listed)}.`),
        );
        return { state: 'continue' };
      }
      case 'deploying': {
        // Before the switch: a fence that cannot be installed must not leave the workers final without it.
        await inspectFenceSite(ctx.sql);
        const status = await ctx.workers.status();
        if (status.mode === 'final') {
          await ctx.log('The workers already run in mode final; not deploying again.', {}, 'warn');
        } else {
          const output = await ctx.workers.deploy('final');
          await ctx.workers.restart();
          await ctx.log('Deployed workers in mode final (legacy writer off).', output ? { output } : {});
        }
        const total = await activeLegacyCount(ctx.sql);
        const deletedBefore = await recordedSoftDeletes(ctx.sql, ctx.run.migrationRunId);
        // The fence commits with the move past this stage: a runner killed before it finds this stage
        // again, the workers already final, and installs it; after it, both are in place.
        const fence = await retryOnLockConflict(ctx, 'installing the fence on legacy DXY writes', () =>
          ctx.commitStep(
            async (tx) => {
              // CREATE TRIGGER queues every legacy writer behind it while it waits: wait briefly, then retry.
              await tx.unsafe(`SET LOCAL lock_timeout = ${Number(ctx.config.ddlLockTimeoutMs)}`);
              await installFence(tx, (t, statement) => ctx.exec(t, statement), { at: now });
              const [db] = await tx<{ now: Date }[]>`select now() as now`;
              return { installedAtDb: (db?.now ?? new Date()).toISOString() };
            },
            (value) => ({
              checkpoint: {
                stage: 'proving-stop',
                deployedAt: checkpoint.deployedAt ?? now.toISOString(),
                totalAtStart: total + deletedBefore,
                deletedBefore,
                deletedRows: 0,
                fenceInstalledAt: now.toISOString(),
                fenceInstalledAtDb: value.installedAtDb,
              },
              progress: {
                rowsDone: deletedBefore,
                rowsTotal: total + deletedBefore,
                percent: (100 * deletedBefore) / Math.max(1, total + deletedBefore),
              },
            }),
          ),
        );
        await ctx.log(
          `Fenced legacy DXY 1m writes in the database (trigger on derived_data_bars, checked by a refused trial insert before ` +
            `its commit at ${fence.installedAtDb}): any writer's active legacy row is skipped and recorded from now on.`,
        );
        if (deletedBefore > 0)
          await ctx.log(
            `Earlier attempts of this migration run already soft-deleted ${deletedBefore} rows; continuing.`,
          );
        return { state: 'continue' };
      }
      case 'proving-stop': {
        const deployedAt = new Date(checkpoint.deployedAt as string);
        if (!checkpoint.quietFrom) {
          // A worker run that started before the deployment may still finish its minute: one minute of grace.
          if (now.getTime() < deployedAt.getTime() + MINUTE_MS)
            return { state: 'wait', reason: 'letting in-flight legacy writes finish' };
          const [db] = await ctx.sql<{ now: Date }[]>`select now() as now`;
          await ctx.commitStep(
            async () => null,
            () => ({
              checkpoint: {
                ...checkpoint,
                quietFrom: now.toISOString(),
                quietFromDb: (db?.now ?? new Date()).toISOString(),
              },
            }),
          );
          return { state: 'continue' };
        }
        const quietFrom = new Date(checkpoint.quietFrom);
        const writes = await legacyWritesSince(ctx, new Date(checkpoint.quietFromDb as string));
        if (writes.n > 0) {
          throw new Error(
            `The legacy writer is still on: ${writes.n} legacy DXY rows written since ${quietFrom.toISOString()} ` +
              `(by write time: ${writes.samples.join('; ')}). Nothing was deleted.`,
          );
        }
        const components = await componentMinutesIngestedSince(ctx, quietFrom);
        if (components < STOP_PROOF_MINUTES) {
          if (!isFxOpen(now))
            return {
              state: 'wait',
              reason: `the market is closed: the proof that the legacy writer stopped needs arriving component minutes; waiting for the open at ${nextFxOpen(now).toISOString()}`,
            };
          // Component minutes are judged as far as every component has reported (the data frontier), not
          // up to now: a late symbol makes the phase wait, bounded by CUTOVER_MONITOR_SETTLE_MAX_MINUTES.
          const frontier = await waitForDataFrontier(ctx.sql, {
            needed: new Date(floorToMinute(now).getTime() - INGEST_LAG_MS),
            now,
            maxLateMinutes: defaultMaxSettleMinutes(),
          });
          const judgedTo = frontier.state === 'gave up' ? now : frontier.frontier.through;
          if (countOpenMinutes(quietFrom, judgedTo) > ctx.config.deploymentProofMinutes)
            throw new Error(
              `Only ${components} complete component minutes arrived in the ${ctx.config.deploymentProofMinutes} open-market minutes after ` +
                `${quietFrom.toISOString()}: the silence of the legacy writer proves nothing. Nothing was deleted.`,
            );
          return {
            state: 'wait',
            reason:
              `proving the legacy writer stopped: ${components} of ${STOP_PROOF_MINUTES} complete component minutes arrived since ${quietFrom.toISOString()}, no legacy write` +
              (frontier.state === 'wait' ? `; ${frontier.reason}` : ''),
          };
        }
        await ctx.log(
          `Legacy writer stopped: no legacy row written since ${quietFrom.toISOString()} (by updated_at/created_at) while ` +
            `${components} complete component minutes were ingested.`,
        );
        if (checkpoint.fenceInstalledAtDb) {
          const refused = await readFenceRefusals(ctx.sql, { since: new Date(checkpoint.fenceInstalledAtDb) });
          if (refused.total > 0)
            await ctx.log(
              `The fence refused ${refused.total} legacy DXY writes since it was installed: a writer the deployment does not ` +
                `control keeps trying (${describeWriters(refused.rows)}). Nothing it sent reached derived_data_bars.`,
              {},
              'warn',
            );
        }
        await ctx.commitStep(
          async () => null,
          () => ({ checkpoint: { ...checkpoint, stage: 'soft-deleting' } }),
        );
        return { state: 'continue' };
      }
      case 'soft-deleting': {
        // Gentle with production (engine/pacing): wait while the database is busy; an operator's batch size applies.
        const paced = await paceNextBatch(ctx, { batchRows: ctx.config.softDeleteBatchRows });
        if (paced.wait) return paced.wait;
        const batchRows = paced.batchRows;
        // ISO strings, cast in SQL: an array of text serializes the same whatever its length.
        const waivedMinutes = waiver?.minutes ?? [];
        const deleted = await ctx.commitStep(
          async (tx) => {
            const result = await ctx.exec(
              tx,
              bound(SOFT_DELETE_BATCH_SQL, [waivedMinutes, batchRows, now, ctx.run.migrationRunId]),
            );
            return result.count;
          },
          (count) => {
            const done = (checkpoint.deletedRows ?? 0) + count;
            const before = checkpoint.deletedBefore ?? 0;
            const total = Math.max(checkpoint.totalAtStart ?? done + before, done + before);
            return {
              checkpoint: {
                ...checkpoint,
                deletedRows: done,
                ...(count < batchRows ? { stage: 'holding', deletedAt: now.toISOString() } : {}),
              },
              progress: {
                rowsDone: before + done,
                rowsTotal: total,
                percent: (100 * (before + done)) / Math.max(1, total),
              },
            };
          },
        );
        if (deleted < batchRows)
          await ctx.log(
            `Soft-deleted ${(checkpoint.deletedRows ?? 0) + deleted} legacy DXY 1m rows in this attempt ` +
              `(${(checkpoint.deletedBefore ?? 0) + (checkpoint.deletedRows ?? 0) + deleted} in this migration run).`,
          );
        // The last batch: the bloat it leaves and the VACUUM that clears it (soft-delete-bloat.ts).
        if (deleted < batchRows)
          await reportSoftDeleteBloat(ctx, {
            softDeleted: (checkpoint.deletedBefore ?? 0) + (checkpoint.deletedRows ?? 0) + deleted,
          });
        return { state: 'continue' };
      }
      case 'holding': {
        const deletedAt = new Date(checkpoint.deletedAt as string);
        const held = countOpenMinutes(deletedAt, now);
        if (held < HOLD_MINUTES) {
          return {
            state: 'wait',
            reason: isFxOpen(now)
              ? `holding ${HOLD_MINUTES} open-market minutes to see that no legacy row reappears (${held} so far)`
              : `the market is closed: holding until ${HOLD_MINUTES} open-market minutes have passed (${held} so far; opens ${nextFxOpen(now).toISOString()})`,
          };
        }
        return { state: 'done' };
      }
    }
    return { state: 'done' };
  },

  async verify(ctx) {
    const checkpoint = ctx.run.checkpoint as SoftDeleteCheckpoint;
    const run = ctx.run.migrationRunId;
    const [remaining] = await ctx.sql<{ n: number; samples: string[] | null }[]>`
      select count(*)::int as n, (array_agg(ts_utc::text order by ts_utc))[1:5] as samples from public.derived_data_bars
       where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null`;
    // Over every attempt of this migration run: each row soft-deleted since the backup is recorded, and each record is deleted.
    const backupCopy = `cutover.${backupTableName(run, 'derived_data_bars')}`;
    const [records] = await ctx.sql.unsafe<{ tagged: number; unrecorded: number; active: number; attempts: number }[]>(
      `SELECT (SELECT count(*)::int FROM cutover.soft_deleted_rows WHERE migration_run_id = $1 AND restored_at IS NULL) AS tagged,
              (SELECT count(*)::int FROM public.derived_data_bars d
                WHERE d.canonical_symbol = 'DXY' AND d.timeframe = '1m' AND d.deleted_at IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM ${backupCopy} b WHERE b.id = d.id AND b.deleted_at IS NOT NULL)
                  AND NOT EXISTS (SELECT 1 FROM cutover.soft_deleted_rows s WHERE s.migration_run_id = $1 AND s.derived_id = d.id)) AS unrecorded,
              (SELECT count(*)::int FROM cutover.soft_deleted_rows s JOIN public.derived_data_bars d ON d.id = s.derived_id
                WHERE s.migration_run_id = $1 AND s.restored_at IS NULL AND d.deleted_at IS NULL) AS active,
              (SELECT count(*)::int FROM cutover.phase_runs WHERE migration_run_id = $1 AND phase = '9' AND clock_started_at IS NOT NULL) AS attempts`,
      [run],
    );
    const [fresh] = await ctx.sql<{ n: number }[]>`
      select count(*)::int as n from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
         and ts_utc >= ${new Date(checkpoint.deletedAt as string)}`;
    const status = await ctx.workers.status();
    const fence = await readFenceState(ctx.sql);
    const problems = fenceProblems(fence);
    const trial = await tryFence(ctx.sql, (t, statement) => ctx.exec(t, statement), ctx.clock.now());
    const history = await readFenceHistory(ctx.sql, { migrationRunId: run });
    const fenceSince =
      history.installedAtDb ?? new Date(checkpoint.fenceInstalledAtDb ?? ctx.clock.now().toISOString());
    const refusals = await readFenceRefusals(ctx.sql, { since: fenceSince });
    const checks: Check[] = [
      {
        name: `Zero active legacy DXY 1m rows, ${HOLD_MINUTES} open-market minutes after the soft-delete`,
        passed: (remaining?.n ?? 0) === 0,
        detail:
          `${remaining?.n ?? 0} active rows at ${ctx.clock.now().toISOString()}` +
          (remaining?.samples?.length ? ` (first: ${remaining.samples.join(', ')})` : ''),
      },
      {
        name: 'Every soft-deleted row recorded for the rollback (all attempts of this migration run)',
        passed: (records?.unrecorded ?? 1) === 0 && (records?.active ?? 1) === 0 && (records?.tagged ?? 0) > 0,
        detail:
          `${records?.tagged ?? 0} rows recorded over ${records?.attempts ?? 0} attempts (${checkpoint.deletedRows ?? 0} by this one); ` +
          `${records?.unrecorded ?? 0} soft-deleted since the backup without a record; ${records?.active ?? 0} recorded but active`,
      },
      {
        name: 'Workers in mode final',
        ...workerModeVerdict(status, 'final'),
      },
      {
        name: 'Fence on legacy DXY writes present and enabled (derived_data_bars)',
        passed: problems.length === 0 && trial.refused && trial.recorded,
        detail:
          problems.length > 0
            ? problems.join('; ')
            : `installed at ${(history.installedAt ?? fenceSince).toISOString()}; trigger enabled ALWAYS, BEFORE INSERT OR UPDATE ` +
              `of active DXY 1m rows; function SECURITY DEFINER with its search_path pinned, executable by no other role; ${trial.detail}`,
        evidence: { trigger: fence.trigger?.definition ?? null, enabled: fence.trigger?.enabled ?? null },
      },
      refusalsFinding(refusals, fenceSince),
      {
        name: 'DXY still arriving in data_bars',
        passed: (fresh?.n ?? 0) > 0,
        detail: `${fresh?.n ?? 0} new DXY minutes in data_bars since the soft-delete (${HOLD_MINUTES} open-market minutes held)`,
      },
    ];
    return { passed: checks.every((c) => c.passed), checks };
  },
});
