/**
 * Phase 9 — soft-delete the legacy DXY 1m rows, with two people (defect 9). An operator requests
 * it; an approver who is not the requester approves by typing DXY (and, when the final proof
 * listed differing minutes, by typing their count to waive them). Allowed only after a complete
 * monitoring window with no unwaived FAIL hour, a verified backup, and an open market. In order:
 * 1. the final proof: at the request, every active legacy minute of the whole history is in data_bars
 *    with the same close (the compare query; what the approver reads); at the execution, again where
 *    something can have changed since; any difference not waived stops the phase, listing the minutes;
 * 2. deploy the workers in mode final and prove the legacy writer stopped by write time
 *    (updated_at/created_at of legacy rows, not their bar time) while component minutes keep arriving;
 * 3. soft-delete in batches, recording every row so a rollback restores exactly those — and only
 *    rows whose minute is in data_bars with the same close (or waived); each batch proves that by key
 *    and value before it commits, and rolls back whole, failing the phase, when it cannot;
 * 4. check that zero active legacy rows remain, and still zero after ten open-market minutes.
 * Every count is over the whole migration run: a re-run after a failed or killed attempt continues
 * and verifies what all attempts did.
 */

import { countOpenMinutes, isFxOpen } from '../../../market/market-hours';
import { readMonitorState } from '../../../monitor/read-monitor-state';
import { MINUTE_MS } from '../../../time-units';
import { definePhase } from '../../engine/define-phase';
import { retryOnLockConflict } from '../../engine/lock-conflict-retry';
import { requireSucceeded } from '../../engine/preconditions';
import type { Check } from '../../engine/verification';
import { getBackup } from '../shared/backup';
import { fenceSiteCheck, inspectFenceSite, installFence, planFenceInstall } from '../shared/legacy-fence';
import { nextFxOpen } from '../shared/legacy-path-proof';
import {
  describeDifferences,
  proveLegacyInDataBars,
  recheckSinceRequest,
  reconcileWayOut,
  waiveFinalProof,
  waiverOf,
} from './final-proof';
import { proveLegacyWriterStopped } from './legacy-writer-stop';
import { softDeleteBatch } from './soft-delete-batch';
import { SOFT_DELETE_CHECKPOINT, type SoftDeleteCheckpoint } from './soft-delete-checkpoint';
import { activeLegacyCount, recordedSoftDeletes, softDeleteStatements } from './soft-delete-statements';
import { HOLD_MINUTES, marketOpenForPhase9, STOP_PROOF_MINUTES } from './soft-delete-timing';
import { verifySoftDelete } from './soft-delete-verification';

export const phase9SoftDelete = definePhase({
  id: '9',
  number: 9,
  day: 3,
  estimateMinutes: 10,
  pointOfNoReturn:
    'Deploying the workers in mode final (the legacy writer stops); then each soft-delete batch commits with its record of the rows it deleted. Only the rollback undoes them, restoring exactly the recorded rows.',
  stages: [
    { id: 'final-proof', title: 'final proof: what changed since the request' },
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
        'Final proof (the compare query): every active legacy DXY 1m minute in data_bars with the same close — over the whole history ' +
          'at the request, re-checked at the start from 2 h before the request’s proof (what can have changed since). ' +
          'Any difference not waived (by count, with the approval) stops the phase before anything changes.',
        'workers.deploy("final"), workers.restart(): DXY written to data_bars only.',
        'Fence legacy writes in the database, in one transaction that checks it before committing: a trigger on derived_data_bars ' +
          'skips and records every write of an active legacy DXY 1m row (any writer, any role); soft-deleting and other symbols ' +
          'and timeframes pass. A trial legacy insert in a savepoint must be refused, then is rolled back.',
        `Wait until no legacy row has been written (updated_at/created_at) for ${STOP_PROOF_MINUTES} minutes while complete component minutes keep arriving.`,
        `Soft-delete the ${count.toLocaleString('en-US')} active legacy DXY 1m rows in batches of ${batchRows.toLocaleString('en-US')} ` +
          '(only minutes proven in data_bars, or waived), recording each one with its values. Each batch checks, before it commits, ' +
          'every row it deleted by key and value and that it passed over none; a batch that cannot prove one rolls back and stops the phase.',
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
      // Its end is kept: the execution re-checks only what can have changed since (final-proof.ts).
      options: {
        finalProof: { total: proof.total, listed: proof.listed, legacyMinutes: proof.legacyMinutes, to: proof.to },
      },
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
        // What changed since the request's proof; older minutes are proven by each batch before it commits.
        const proof = await recheckSinceRequest(ctx.sql, {
          options: ctx.run.options,
          to: new Date(now.getTime() + MINUTE_MS),
        });
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
                recheckedFrom: proof.recheckedFrom,
              },
            },
          }),
        );
        await ctx.log(
          `Final proof: ${proof.legacyMinutes} active legacy minutes compared at the request, re-checked from ` +
            `${proof.recheckedFrom ?? '—'} (what can have changed since; each batch proves its older rows before its commit); ` +
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
      case 'proving-stop':
        return proveLegacyWriterStopped(ctx, checkpoint, now);
      case 'soft-deleting':
        return softDeleteBatch(ctx, checkpoint, { now, waivedMinutes: waiver?.minutes ?? [] });
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

  verify: verifySoftDelete,
});
