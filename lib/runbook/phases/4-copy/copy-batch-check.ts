/**
 * Phase 4's check of each batch, inside the batch's transaction, after its write and before its
 * commit (docs/phases.md, phase 4 "Verified batch by batch"):
 * - by key and value: every active legacy minute of the batch's range is in data_bars, and every
 *   row the copy owns there has legacy's close. A batch that fails this rolls back whole and the
 *   phase fails naming the minutes: a copy statement that writes the wrong thing is stopped at its
 *   first batch, not found after the whole history. A live writer may change legacy between the
 *   batch's write and its check (a late minute, a revision; READ COMMITTED gives each statement
 *   its own snapshot), so a minute found wrong is written once more by the same statement and
 *   checked again: only a minute still wrong after that is the statement's fault.
 *   Minutes another writer owns are never the copy's to write: the final comparison lists them.
 * - the final form of every DXY row of the range (copy-final-form.ts), read while the pages the
 *   batch just wrote are hot, and where the new writer's oldest row is (the catch-up re-derives
 *   from there; finding it afterwards walks the whole history through the heap).
 * What each batch found is added to the checkpoint's verified window (foldBatchCheck), which the
 * final verification reads instead of reading every row's form again.
 */

import type { TransactionSql } from 'postgres';
import { z } from 'zod';
import { DXY_CLOSE_TOLERANCE } from '../../../market/dxy';
import { MINUTE_MS } from '../../../time-units';
import { copyOwnedSql, newWriterOwnedSql } from '../shared/copy-ownership';
import {
  FINAL_KIND,
  FINAL_SOURCE,
  mergeNotFinal,
  NO_NOT_FINAL_ROWS,
  type NotFinalRows,
  readNotFinalRows,
} from './copy-final-form';

/** Minutes named in a failed batch's error. */
const NAMED = 10;

const NOT_FINAL = z.object({
  total: z.number(),
  byForm: z.array(
    z.object({
      source: z.string(),
      kind: z.string().nullable(),
      rows: z.number(),
      first: z.string(),
      last: z.string(),
    }),
  ),
  samples: z.array(
    z.object({ ts_utc: z.string(), source: z.string(), kind: z.string().nullable(), close: z.number().nullable() }),
  ),
});

/** The window [from, to) the batches checked, contiguous, and what they found in it. */
export const VERIFIED_WINDOW = z.object({
  from: z.string(),
  to: z.string(),
  batches: z.number(),
  /** Active legacy minutes and data_bars DXY minutes of the window, as each batch counted its range. */
  legacyRows: z.number(),
  dataBarsRows: z.number(),
  /** Minutes found wrong after their batch's write and written once more (legacy changed in between). */
  rewritten: z.number(),
  notFinal: NOT_FINAL,
  /** The oldest DXY row calc_dxy_range_1m owns in the window, or null. */
  newWriterFirst: z.string().nullable(),
});
export type VerifiedWindow = z.infer<typeof VERIFIED_WINDOW>;

export interface BatchCheck {
  from: string;
  to: string;
  legacyRows: number;
  dataBarsRows: number;
  rewritten: number;
  notFinal: NotFinalRows;
  newWriterFirst: string | null;
}

export class CopyBatchCheckFailed extends Error {}

interface DifferingMinute {
  kind: 'missing' | 'mismatched';
  ts_utc: Date;
  legacy_close: number;
  new_close: number | null;
  copy_owned: boolean;
}

/**
 * The legacy minutes of the range the copy should have written and did not: absent from data_bars,
 * or the copy's own row with another close. A merge join of the two comparison indexes over the
 * range (hot: the batch just read and wrote it); only differing minutes are looked up by key.
 */
async function readWrongMinutes(tx: TransactionSql, range: { from: Date; to: Date }): Promise<DifferingMinute[]> {
  const differing = await tx.unsafe<DifferingMinute[]>(
    `SELECT m.kind, m.ts_utc, d.close AS legacy_close, n.close AS new_close,
            coalesce(${copyOwnedSql('n')}, false) AS copy_owned
       FROM (SELECT CASE WHEN n.ts_utc IS NULL THEN 'missing' ELSE 'mismatched' END AS kind, d.ts_utc
               FROM (SELECT ts_utc, close FROM public.data_bars
                      WHERE canonical_symbol = 'DXY' AND timeframe = '1m' AND ts_utc >= $1 AND ts_utc < $2) n
              RIGHT JOIN (SELECT ts_utc, close FROM public.derived_data_bars
                           WHERE canonical_symbol = 'DXY' AND timeframe = '1m' AND deleted_at IS NULL
                             AND ts_utc >= $1 AND ts_utc < $2) d ON d.ts_utc = n.ts_utc
              WHERE n.ts_utc IS NULL OR n.close IS NULL OR abs(n.close - d.close) > ${DXY_CLOSE_TOLERANCE} * abs(d.close)) m
       JOIN public.derived_data_bars d
         ON d.canonical_symbol = 'DXY' AND d.timeframe = '1m' AND d.deleted_at IS NULL AND d.ts_utc = m.ts_utc
       LEFT JOIN public.data_bars n ON n.canonical_symbol = 'DXY' AND n.timeframe = '1m' AND n.ts_utc = m.ts_utc
      ORDER BY m.ts_utc`,
    [range.from, range.to],
  );
  return differing.filter((m) => m.kind === 'missing' || m.copy_owned);
}

/**
 * `rewrite` runs the batch's own write over a sub-range again (the phase's previewed statements).
 * Throws CopyBatchCheckFailed — the caller's transaction then rolls back — when minutes are still
 * wrong after it.
 */
export async function checkCopyBatch(
  tx: TransactionSql,
  range: { from: Date; to: Date },
  rewrite: (range: { from: Date; to: Date }) => Promise<unknown>,
): Promise<BatchCheck> {
  const found = await readWrongMinutes(tx, range);
  const first = found[0];
  const last = found[found.length - 1];
  const wrong =
    first && last ? await rewriteAndReread(tx, range, { from: first.ts_utc, to: last.ts_utc }, rewrite) : [];
  if (wrong.length > 0) {
    const missing = wrong.filter((m) => m.kind === 'missing');
    const mismatched = wrong.filter((m) => m.kind === 'mismatched');
    const named = (minutes: DifferingMinute[]) =>
      minutes
        .slice(0, NAMED)
        .map((m) =>
          m.kind === 'missing'
            ? m.ts_utc.toISOString()
            : `${m.ts_utc.toISOString()} (legacy ${m.legacy_close}, written ${m.new_close})`,
        )
        .join(', ');
    throw new CopyBatchCheckFailed(
      `The batch ${range.from.toISOString()} → ${range.to.toISOString()} failed its check before commit and rolled back ` +
        '(nothing of it was written): ' +
        [
          ...(missing.length > 0 ? [`${missing.length} legacy minutes not in data_bars, e.g. ${named(missing)}`] : []),
          ...(mismatched.length > 0
            ? [
                `${mismatched.length} minutes the copy wrote with another close than legacy's, e.g. ${named(mismatched)}`,
              ]
            : []),
        ].join('; ') +
        '. They were written once more and were still wrong: the copy statement itself does not write them as it should.',
    );
  }
  const [legacy] = await tx<{ n: number }[]>`
    select count(*)::int as n from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
       and deleted_at is null and ts_utc >= ${range.from} and ts_utc < ${range.to}`;
  const forms = await readRangeForms(tx, range);
  return {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    legacyRows: legacy?.n ?? 0,
    dataBarsRows: forms.rows,
    rewritten: found.length,
    notFinal: forms.notFinal,
    newWriterFirst: forms.newWriterFirst,
  };
}

/**
 * One read of the range's DXY rows in the heap (hot): how many there are, those not in the final form
 * grouped as copy-final-form.ts groups them, and the new writer's oldest.
 */
async function readRangeForms(
  tx: TransactionSql,
  range: { from: Date; to: Date },
): Promise<{ rows: number; notFinal: NotFinalRows; newWriterFirst: string | null }> {
  const groups = await tx.unsafe<
    { source: string; kind: string | null; rows: number; first: Date; last: Date; new_writer_first: Date | null }[]
  >(
    `SELECT source, raw->>'kind' AS kind, count(*)::int AS rows, min(ts_utc) AS first, max(ts_utc) AS last,
            min(ts_utc) FILTER (WHERE ${newWriterOwnedSql('data_bars')}) AS new_writer_first
       FROM public.data_bars
      WHERE canonical_symbol = 'DXY' AND timeframe = '1m' AND ts_utc >= $1 AND ts_utc < $2
      GROUP BY 1, 2`,
    [range.from, range.to],
  );
  const final = (g: { source: string; kind: string | null }) => g.source === FINAL_SOURCE && g.kind === FINAL_KIND;
  const newWriterFirst = groups
    .flatMap((g) => (g.new_writer_first ? [g.new_writer_first.toISOString()] : []))
    .sort()[0];
  return {
    rows: groups.reduce((n, g) => n + g.rows, 0),
    // The samples are read only when there is something to show (an earlier attempt's rows).
    notFinal: groups.some((g) => !final(g))
      ? await readNotFinalRows(tx, { rows: 'inside', from: range.from, to: range.to })
      : NO_NOT_FINAL_ROWS,
    newWriterFirst: newWriterFirst ?? null,
  };
}

/** Writes [first, last] of the found minutes again, then reads the batch's range again. */
async function rewriteAndReread(
  tx: TransactionSql,
  range: { from: Date; to: Date },
  found: { from: Date; to: Date },
  rewrite: (range: { from: Date; to: Date }) => Promise<unknown>,
): Promise<DifferingMinute[]> {
  await rewrite({ from: found.from, to: new Date(found.to.getTime() + MINUTE_MS) });
  return readWrongMinutes(tx, range);
}

/**
 * The window with one more batch. A batch that does not start where the window ends (a checkpoint
 * from before batches were checked, or a range retried differently) starts a new window: the final
 * verification then finds the history before it unchecked and compares it whole.
 */
export function foldBatchCheck(window: VerifiedWindow | undefined, batch: BatchCheck): VerifiedWindow {
  if (!window || window.to !== batch.from) {
    return { ...batch, batches: 1, notFinal: mergeNotFinal(NO_NOT_FINAL_ROWS, batch.notFinal) };
  }
  const firsts = [window.newWriterFirst, batch.newWriterFirst].filter((t): t is string => t !== null).sort();
  return {
    from: window.from,
    to: batch.to,
    batches: window.batches + 1,
    legacyRows: window.legacyRows + batch.legacyRows,
    dataBarsRows: window.dataBarsRows + batch.dataBarsRows,
    rewritten: window.rewritten + batch.rewritten,
    notFinal: mergeNotFinal(window.notFinal, batch.notFinal),
    newWriterFirst: firsts[0] ?? null,
  };
}
