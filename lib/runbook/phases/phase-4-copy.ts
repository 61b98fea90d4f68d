/**
 * Phase 4 — copy the historical DXY 1m from derived_data_bars to data_bars, in time-ranged
 * batches of at most CUTOVER_COPY_BATCH_ROWS legacy minutes. Each batch commits its rows with
 * its checkpoint (the next range start), so a killed runner resumes exactly where it stopped and
 * nothing is written twice (existing data_bars rows are never overwritten). Pausable between
 * batches. Option `method: 'regenerate'` recomputes each range with calc_dxy_range_1m instead of
 * copying. Each batch runs under CUTOVER_BATCH_STATEMENT_TIMEOUT_MS; a batch that hits it rolls
 * back and its range is retried with half the rows. Ends with the key-and-value verification of
 * defect 1.
 */
import type { TransactionSql } from 'postgres';
import { copyLegacyRange, copyLegacyRangeSql, legacyRange, nextBatchEnd, regenerateRange } from '../copy-legacy';
import { requireSucceeded } from '../preconditions';
import type { PhaseDefinition } from '../types';
import { compareCopy, copyChecks } from '../verify-copy';

export type CopyMethod = 'copy' | 'regenerate';

interface CopyCheckpoint {
  cursor?: string;
  batches?: number;
  rowsScanned?: number;
  rowsWritten?: number;
  startedWallMs?: number;
  totalAtStart?: number;
  /** The slowest batch so far (DESIGN §7: every batch commits within 2 s). */
  maxBatchMs?: number;
  /** Rows per batch now: CUTOVER_COPY_BATCH_ROWS, halved after each statement timeout. */
  batchRows?: number;
}

const QUERY_CANCELED = '57014';

export function copyMethodOf(options: Record<string, unknown>): CopyMethod {
  return options.method === 'regenerate' ? 'regenerate' : 'copy';
}

export const phase4Copy: PhaseDefinition = {
  id: '4',
  number: 4,
  title: 'Copy historical data',
  description:
    'Copies every active legacy DXY 1m row into data_bars (source synthetic, raw.copied_from) in time-ranged batches that each ' +
    'commit with their checkpoint; pausable and resumable. Or regenerates each range from the components with ' +
    'calc_dxy_range_1m. Verified by key and value: every legacy minute present with the same close, extras listed and explained.',
  roles: ['operator'],
  pausable: true,

  async preconditions(ctx) {
    return [await requireSucceeded(ctx, '3', 'Phase 3 (calc_dxy_range_1m) succeeded')];
  },

  async preview({ database, config, options }) {
    const range = await legacyRange(database.sql);
    const method = copyMethodOf(options);
    return {
      summary: [
        method === 'copy'
          ? 'Copy legacy DXY 1m rows into data_bars, never overwriting an existing row.'
          : 'Regenerate DXY 1m in data_bars from the components with calc_dxy_range_1m, range by range.',
        `Batches of at most ${config.copyBatchRows} minutes, each committed with its checkpoint, under a ` +
          `${config.batchStatementTimeoutMs} ms statement timeout (a batch that hits it is retried with half the rows).`,
        'Then compare by key and value: missing minutes, different closes, extra minutes with their explanation.',
      ],
      sql: [
        method === 'copy'
          ? copyLegacyRangeSql().replace('$1', ':batch_from').replace('$2', ':batch_to')
          : 'SELECT public.calc_dxy_range_1m(:batch_from, :batch_to)',
      ],
      estimates: {
        'legacy minutes': range.rows,
        'batches (about)': Math.max(1, Math.ceil(range.rows / config.copyBatchRows)),
        from: range.first?.toISOString() ?? '—',
        to: range.last?.toISOString() ?? '—',
      },
    };
  },

  async execute(ctx) {
    const { sql, config } = ctx;
    const checkpoint = ctx.run.checkpoint as CopyCheckpoint;
    const method = copyMethodOf(ctx.run.options);
    if (!checkpoint.cursor) {
      const range = await legacyRange(sql);
      if (!range.first) throw new Error('There are no active legacy DXY 1m rows to copy.');
      await ctx.commitStep(
        async () => null,
        () => ({
          checkpoint: {
            cursor: range.first?.toISOString(),
            batches: 0,
            rowsScanned: 0,
            rowsWritten: 0,
            startedWallMs: Date.now(),
            totalAtStart: range.rows,
          },
          progress: { rowsDone: 0, rowsTotal: range.rows, percent: 0 },
        }),
      );
      await ctx.log(
        `${method === 'copy' ? 'Copying' : 'Regenerating'} ${range.rows} legacy minutes from ${range.first.toISOString()}.`,
      );
      return { state: 'continue' };
    }
    const from = new Date(checkpoint.cursor);
    const batchRows = checkpoint.batchRows ?? config.copyBatchRows;
    const end = await nextBatchEnd(sql, { from, rows: batchRows });
    const last = end ? null : (await legacyRange(sql)).last;
    if (!end && (!last || last.getTime() < from.getTime())) return { state: 'done' };
    const to = end ?? new Date((last as Date).getTime() + 60_000);
    const started = Date.now();
    const copyBatch = async (tx: TransactionSql) => {
      await tx.unsafe(`SET LOCAL statement_timeout = ${config.batchStatementTimeoutMs}`);
      const [scan] = await tx<{ n: number }[]>`
        select count(*)::int as n from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
           and deleted_at is null and ts_utc >= ${from} and ts_utc < ${to}`;
      const written =
        method === 'copy' ? await copyLegacyRange(tx, { from, to }) : await regenerateRange(tx, { from, to });
      return { scanned: scan?.n ?? 0, written };
    };
    try {
      await ctx.commitStep(copyBatch, (batch) => batchUpdate(batch));
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
    if (!end) return { state: 'done' };
    return config.copyPaced
      ? { state: 'wait', reason: 'paced: one batch per tick (CUTOVER_COPY_PACED=1)' }
      : { state: 'continue' };

    function batchUpdate({ scanned, written }: { scanned: number; written: number }) {
      const rowsScanned = (checkpoint.rowsScanned ?? 0) + scanned;
      const rowsWritten = (checkpoint.rowsWritten ?? 0) + written;
      const total = Math.max(checkpoint.totalAtStart ?? rowsScanned, rowsScanned);
      const elapsedSeconds = Math.max(0.001, (Date.now() - (checkpoint.startedWallMs ?? started)) / 1000);
      const rate = rowsScanned / elapsedSeconds;
      const batchMs = Date.now() - started;
      const maxBatchMs = Math.max(checkpoint.maxBatchMs ?? 0, batchMs);
      return {
        checkpoint: {
          ...checkpoint,
          cursor: to.toISOString(),
          batches: (checkpoint.batches ?? 0) + 1,
          rowsScanned,
          rowsWritten,
          maxBatchMs,
        },
        progress: {
          rowsDone: rowsScanned,
          rowsWritten,
          rowsTotal: total,
          percent: Math.min(100, (100 * rowsScanned) / Math.max(1, total)),
          ratePerSecond: rate,
          etaSeconds: rate > 0 ? Math.max(0, (total - rowsScanned) / rate) : null,
          batches: (checkpoint.batches ?? 0) + 1,
          lastBatchMs: batchMs,
          maxBatchMs,
          cursor: to.toISOString(),
        },
      };
    }
  },

  async verify(ctx) {
    const cursor = (ctx.run.checkpoint as CopyCheckpoint).cursor;
    const to = cursor ? new Date(cursor) : ctx.clock.now();
    const comparison = await compareCopy(ctx.sql, { to });
    const checks = copyChecks(comparison);
    return { passed: checks.every((c) => c.passed), checks };
  },
};
