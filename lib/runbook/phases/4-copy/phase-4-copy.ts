/**
 * Phase 4 — copy the historical DXY 1m from derived_data_bars to data_bars, in time-ranged
 * batches of at most CUTOVER_COPY_BATCH_ROWS legacy minutes. Each batch commits its rows with
 * its checkpoint (the next range start), so a killed runner resumes exactly where it stopped and
 * nothing is written twice. A row the copy wrote before whose values legacy has since revised takes
 * legacy's values; a row another writer owns is never overwritten (copy-ownership.ts). Pausable between
 * batches. Option `method: 'regenerate'` recomputes each range with calc_dxy_range_1m instead of
 * copying. Each batch runs under CUTOVER_BATCH_STATEMENT_TIMEOUT_MS; a batch that hits it rolls
 * back and its range is retried with half the rows. The last batch catches up with provider
 * revisions behind the batches (copy-catch-up.ts). Each batch checks its own range by key and
 * value and final form before it commits (copy-batch-check.ts); the verification of defect 1 then
 * proves the batches cover the history and compares what changed since (verify-copy.ts).
 *
 * A retry continues from the failed attempt's cursor only when that attempt stopped part-way with
 * the same method. After an attempt that went through the whole history and failed its
 * verification, or with the method changed, the end cursor would make the retry a no-op that fails
 * the same way, so it starts again from the beginning of history. Regenerating writes what the
 * components give; the legacy minutes it cannot compute are copied from legacy instead, each
 * with its reason (copy-not-regenerated.ts), and listed in the run's result.
 */

import type { TransactionSql } from 'postgres';
import { definePhase } from '../../engine/define-phase';
import { paceNextBatch } from '../../engine/pacing/pace-next-batch';
import { readPacingLimits } from '../../engine/pacing/pacing-limits';
import { requireSucceeded } from '../../engine/preconditions';
import { copyLegacyRange, legacyRange, nextBatchEnd, regenerateRange } from '../shared/copy-legacy';
import { analyzeAfterCopy } from './analyze-after-copy';
import { checkCopyBatch, foldBatchCheck, type VerifiedWindow } from './copy-batch-check';
import { type CatchUp, catchUpRevisions, knownNewWriterFirst, revisedSince } from './copy-catch-up';
import { COPY_CHECKPOINT, type CopyCheckpoint, copyMethodOf, restartReason } from './copy-checkpoint';
import { copyNotRegenerated, type NotRegeneratedMinute } from './copy-not-regenerated';
import { copyStatements } from './copy-statements';
import { compareCopy, copyChecks } from './verify-copy';

/** Minutes kept in the checkpoint as samples of what could not be regenerated (the total is exact). */
const NOT_REGENERATED_SAMPLES = 200;

const QUERY_CANCELED = '57014';

export const phase4Copy = definePhase({
  id: '4',
  number: 4,
  day: 1,
  estimateMinutes: 20,
  pointOfNoReturn:
    "The first copy batch: each batch commits with its checkpoint, so a failure keeps the batches before it (resume continues from the checkpoint; the rollback's delete choice removes them).",
  stages: [{ id: 'copy', title: 'copy (or regenerate) in batches, each committed with its checkpoint' }],
  checkpoint: COPY_CHECKPOINT,
  title: 'Copy historical data',
  intent: 'Copy DXY 1m from derived_data_bars to data_bars; verify by key and value.',
  pausable: true,
  options: [
    {
      name: 'method',
      label: 'Method',
      choices: [
        { value: 'copy', label: 'copy legacy rows' },
        { value: 'regenerate', label: 'regenerate with calc_dxy_range_1m' },
      ],
      default: 'copy',
    },
  ],
  description:
    'Copies every active legacy DXY 1m row into data_bars (source synthetic, raw.copied_from) in time-ranged batches that each ' +
    'commit with their checkpoint; pausable and resumable. Or regenerates each range from the components with ' +
    'calc_dxy_range_1m. Verified by key and value: every legacy minute present with the same close, extras listed and explained.',

  async preconditions(ctx) {
    return [await requireSucceeded(ctx, '3', 'Phase 3 (calc_dxy_range_1m) succeeded')];
  },

  async preview({ database, config, options }) {
    const range = await legacyRange(database.sql);
    const method = copyMethodOf(options);
    // An operator's live batch size (docs/operations.md "Pacing") is what the next batch takes.
    const live = (await readPacingLimits(database.sql)).batchRows;
    const batchRows = live ?? config.copyBatchRows;
    return {
      summary: [
        method === 'copy'
          ? 'Copy legacy DXY 1m rows into data_bars; a row an earlier copy wrote takes legacy’s values where they ' +
            'differ (a revision), a row any other writer owns is never overwritten.'
          : 'Regenerate DXY 1m in data_bars from the components with calc_dxy_range_1m, range by range.',
        `Batches of at most ${batchRows} minutes${live ? ` (set by an operator; CUTOVER_COPY_BATCH_ROWS is ${config.copyBatchRows})` : ''}, each committed with its checkpoint, under a ` +
          `${config.batchStatementTimeoutMs} ms statement timeout (a batch that hits it is retried with half the rows).`,
        'The last batch also catches up with provider revisions behind the batches (the copy’s rows take legacy’s revised ' +
          'values; calc_dxy_range_1m’s stale rows are re-derived by it), in the same transaction.',
        'Before each batch it waits while the database is busy (lock waits on the pipeline tables, replica lag, ' +
          'checkpoints and WAL, the workers’ latency, the pace) and says why; after the last, ANALYZE public.data_bars.',
        'Then compare by key and value: missing minutes, different closes, extra minutes with their explanation.',
      ],
      sql: [],
      statements: copyStatements(method),
      estimates: {
        'legacy minutes': range.rows,
        'batches (about)': Math.max(1, Math.ceil(range.rows / batchRows)),
        from: range.first?.toISOString() ?? '—',
        to: range.last?.toISOString() ?? '—',
      },
    };
  },

  // A retried copy continues from the failed or aborted attempt's last committed range (restartReason decides if it may).
  async onStart({ attempts }) {
    const last = attempts[0];
    return last?.status === 'failed' || last?.status === 'aborted' ? { checkpoint: last.checkpoint } : {};
  },
  async execute(ctx) {
    const { sql, config } = ctx;
    const checkpoint = ctx.run.checkpoint as CopyCheckpoint;
    const method = copyMethodOf(ctx.run.options);
    const restart = restartReason(checkpoint, { method, runId: ctx.run.id });
    if (!checkpoint.cursor || restart) {
      const range = await legacyRange(sql);
      if (!range.first) throw new Error('There are no active legacy DXY 1m rows to copy.');
      const fresh: CopyCheckpoint = {
        cursor: range.first.toISOString(),
        method,
        batches: 0,
        rowsScanned: 0,
        rowsWritten: 0,
        startedWallMs: Date.now(),
        historyFrom: range.first.toISOString(),
        totalAtStart: range.rows,
        ...(restart ? { restarted: { run: ctx.run.id, reason: restart } } : {}),
      };
      await ctx.commitStep(
        async () => null,
        () => ({
          checkpoint: fresh as Record<string, unknown>,
          progress: { rowsDone: 0, rowsTotal: range.rows, percent: 0 },
        }),
      );
      if (restart) {
        await ctx.log(
          `Starting again from the beginning of history, not from the previous attempt's cursor ${checkpoint.cursor}: ${restart}.`,
          { previousCursor: checkpoint.cursor, reason: restart },
          'warn',
        );
      }
      await ctx.log(
        `${method === 'copy' ? 'Copying' : 'Regenerating'} ${range.rows} legacy minutes from ${range.first.toISOString()}.`,
      );
      return { state: 'continue' };
    }
    const from = new Date(checkpoint.cursor);
    // Gentle with production (engine/pacing): wait while the database is busy; an operator's batch size applies from here.
    const paced = await paceNextBatch(ctx, { batchRows: config.copyBatchRows });
    if (paced.wait) return paced.wait;
    const batchRows = Math.min(checkpoint.batchRows ?? paced.batchRows, paced.batchRows);
    const end = await nextBatchEnd(sql, { from, rows: batchRows });
    const last = end ? null : (await legacyRange(sql)).last;
    if (!end && (!last || last.getTime() < from.getTime())) {
      if (checkpoint.caughtUpByRun !== ctx.run.id) {
        // Resumed after the last batch (or re-run over a complete history): catch up with revisions again.
        const catchUp = await ctx.commitStep(
          (tx) =>
            catchUpRevisions(
              tx,
              {
                migrationRunId: ctx.run.migrationRunId,
                to: from,
                newWriterFirst: knownNewWriterFirst(checkpoint.verified, checkpoint.historyFrom),
              },
              ctx.exec,
            ),
          (caught) => ({
            checkpoint: { ...checkpoint, completedByRun: ctx.run.id, catchUp: caught, caughtUpByRun: ctx.run.id },
          }),
        );
        await logCatchUp(catchUp);
      }
      await analyzeAfterCopy(ctx);
      return { state: 'done' };
    }
    const to = end ?? new Date((last as Date).getTime() + 60_000);
    const started = Date.now();
    const copyBatch = async (tx: TransactionSql) => {
      await tx.unsafe(`SET LOCAL statement_timeout = ${config.batchStatementTimeoutMs}`);
      // The batch's rows and its checkpoint commit together, so a crash that loses this commit loses both and the
      // resume redoes the batch: its commit need not wait for the WAL flush (the next synchronous commit flushes it).
      await tx.unsafe('SET LOCAL synchronous_commit = off');
      const write = (range: { from: Date; to: Date }) =>
        method === 'copy'
          ? copyLegacyRange(tx, range, ctx.exec).then((copied) => ({
              written: copied.copied + copied.revised,
              revised: copied.revised,
              left: [] as NotRegeneratedMinute[],
            }))
          : regenerateRange(tx, range, ctx.exec).then(async (regenerated) => {
              const fallback = await copyNotRegenerated(tx, range, ctx.exec);
              return { written: regenerated + fallback.copied, revised: 0, left: fallback.minutes };
            });
      const written = await write({ from, to });
      // Before the commit, while its pages are hot: the batch by key and value, and its rows' form.
      const check = await checkCopyBatch(tx, { from, to }, write);
      const verified = foldBatchCheck(checkpoint.verified, check);
      // The last batch: in the same transaction, catch up with what legacy revised behind the batches.
      const catchUp = end
        ? undefined
        : await catchUpRevisions(
            tx,
            {
              migrationRunId: ctx.run.migrationRunId,
              to,
              newWriterFirst: knownNewWriterFirst(verified, checkpoint.historyFrom),
            },
            ctx.exec,
          );
      return { scanned: check.legacyRows, ...written, catchUp, verified };
    };
    let left: NotRegeneratedMinute[] = [];
    let revised = 0;
    let catchUp: CatchUp | undefined;
    try {
      ({ left, revised, catchUp } = await ctx.commitStep(copyBatch, (batch) => batchUpdate(batch)));
    } catch (error) {
      if ((error as { code?: unknown }).code !== QUERY_CANCELED) throw error;
      // The batch rolled back whole; the same range is retried in halves, never skipped.
      if (batchRows <= 1) {
        throw new Error(
          `One minute at ${from.toISOString()} exceeded the batch statement timeout (${config.batchStatementTimeoutMs} ms); ` +
            'raise CUTOVER_BATCH_STATEMENT_TIMEOUT_MS or find what blocks the table.',
        );
      }
      const smaller = Math.max(1, Math.floor(batchRows / 2));
      await ctx.commitStep(
        async () => null,
        () => ({ checkpoint: { ...checkpoint, batchRows: smaller } }),
      );
      await ctx.log(
        `A batch of ${batchRows} rows from ${from.toISOString()} hit the statement timeout ` +
          `(${config.batchStatementTimeoutMs} ms) and rolled back; retrying that range with ${smaller} rows per batch`,
        { from: from.toISOString(), to: to.toISOString(), batchRows, smaller },
        'warn',
      );
      return { state: 'continue' };
    }
    if (revised > 0) {
      await ctx.log(
        `${revised} minutes from ${from.toISOString()} that an earlier copy wrote had other values in legacy (revised ` +
          'since) and were rewritten with legacy’s.',
        { from: from.toISOString(), to: to.toISOString(), revised },
      );
    }
    if (left.length > 0) {
      await ctx.log(
        `${left.length} legacy minutes from ${from.toISOString()} could not be regenerated and were copied from legacy ` +
          `instead, e.g. ${left[0]?.ts_utc}: ${left[0]?.reason}`,
        { from: from.toISOString(), to: to.toISOString(), minutes: left.slice(0, 20) },
        'warn',
      );
    }
    if (catchUp) await logCatchUp(catchUp);
    if (!end) {
      await analyzeAfterCopy(ctx);
      return { state: 'done' };
    }
    return config.copyPaced
      ? { state: 'wait', reason: 'paced: one batch per tick (CUTOVER_COPY_PACED=1)' }
      : { state: 'continue' };

    async function logCatchUp(caught: CatchUp) {
      if (caught.revised + caught.rederived === 0) return;
      await ctx.log(
        `Caught up with provider revisions since ${caught.from}: ${caught.revised} copied rows took legacy’s revised values, ` +
          `${caught.rederived} rows calc_dxy_range_1m owns were re-derived from the revised components.`,
        { ...caught },
      );
    }

    function batchUpdate({
      scanned,
      written,
      revised,
      left,
      catchUp,
      verified,
    }: {
      scanned: number;
      written: number;
      revised: number;
      left: NotRegeneratedMinute[];
      catchUp?: CatchUp;
      verified: VerifiedWindow;
    }) {
      const rowsScanned = (checkpoint.rowsScanned ?? 0) + scanned;
      const rowsWritten = (checkpoint.rowsWritten ?? 0) + written;
      const rowsRevised = (checkpoint.rowsRevised ?? 0) + revised;
      const total = Math.max(checkpoint.totalAtStart ?? rowsScanned, rowsScanned);
      const elapsedSeconds = Math.max(0.001, (Date.now() - (checkpoint.startedWallMs ?? started)) / 1000);
      const rate = rowsScanned / elapsedSeconds;
      const batchMs = Date.now() - started;
      const maxBatchMs = Math.max(checkpoint.maxBatchMs ?? 0, batchMs);
      const notRegenerated =
        method === 'regenerate'
          ? {
              total: (checkpoint.notRegenerated?.total ?? 0) + left.length,
              samples: [...(checkpoint.notRegenerated?.samples ?? []), ...left].slice(0, NOT_REGENERATED_SAMPLES),
            }
          : undefined;
      const next: CopyCheckpoint = {
        ...checkpoint,
        method,
        cursor: to.toISOString(),
        batches: (checkpoint.batches ?? 0) + 1,
        rowsScanned,
        rowsWritten,
        rowsRevised,
        maxBatchMs,
        verified,
        ...(notRegenerated ? { notRegenerated } : {}),
        // The last batch: a retry of this run starts from the beginning again (restartReason).
        ...(end ? {} : { completedByRun: ctx.run.id }),
        ...(catchUp ? { catchUp, caughtUpByRun: ctx.run.id } : {}),
      };
      return {
        checkpoint: next as Record<string, unknown>,
        progress: {
          rowsDone: rowsScanned,
          rowsWritten,
          rowsRevised,
          rowsTotal: total,
          percent: Math.min(100, (100 * rowsScanned) / Math.max(1, total)),
          ratePerSecond: rate,
          etaSeconds: rate > 0 ? Math.max(0, (total - rowsScanned) / rate) : null,
          batches: (checkpoint.batches ?? 0) + 1,
          lastBatchMs: batchMs,
          maxBatchMs,
          cursor: to.toISOString(),
          ...(notRegenerated ? { notRegenerated: notRegenerated.total } : {}),
        },
      };
    }
  },

  async verify(ctx) {
    const cursor = (ctx.run.checkpoint as CopyCheckpoint).cursor;
    const to = cursor ? new Date(cursor) : ctx.clock.now();
    const checkpoint = ctx.run.checkpoint as CopyCheckpoint;
    const since = checkpoint.caughtUpByRun === ctx.run.id ? revisedSince(checkpoint.catchUp) : null;
    const comparison = await compareCopy(ctx.sql, { to, revisedSince: since, window: checkpoint.verified });
    const checks = copyChecks(comparison);
    if (copyMethodOf(ctx.run.options) === 'regenerate') {
      // Informational: these minutes are in data_bars (the checks above say so), as legacy's copy.
      const left = checkpoint.notRegenerated ?? { total: 0, samples: [] };
      checks.push({
        name: 'Minutes that could not be regenerated were copied from legacy',
        kind: 'finding',
        passed: true,
        detail:
          left.total === 0
            ? 'none: every legacy minute was computed from its components'
            : `${left.total} legacy minutes copied from legacy instead (raw.not_regenerated gives the reason), e.g. ` +
              left.samples
                .slice(0, 5)
                .map((m) => `${m.ts_utc} (${m.reason})`)
                .join(', '),
        evidence: left,
      });
    }
    if (checkpoint.restarted?.run === ctx.run.id) {
      checks.push({
        name: 'Started from the beginning of history',
        kind: 'finding',
        passed: true,
        detail: `not from the previous attempt's cursor: ${checkpoint.restarted.reason}`,
      });
    }
    return { passed: checks.every((c) => c.passed), checks };
  },
});
