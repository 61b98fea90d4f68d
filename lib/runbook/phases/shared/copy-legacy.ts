/**
 * Moving DXY 1m between the tables, in bounded, idempotent statements:
 * - copy legacy rows (derived_data_bars, active) into data_bars — phase 4, phase 5's catch-up, the
 *   bridge until the new writer is deployed, and phase 7's gap fill. A row the copy wrote itself
 *   follows legacy's revisions (its values are rewritten when legacy's differ); a row another writer
 *   owns is never overwritten (copy-ownership.ts, docs/phases.md "Who owns a DXY row");
 * - back-fill legacy rows from data_bars — the rollback's refill of minutes that reached only
 *   data_bars.
 * Ranges are half-open [from, to) on ts_utc and always passed in, never read from now().
 */
import type { TransactionSql } from 'postgres';
import type { SqlOrTx } from '../../../db/connection';
import { DXY_CLOSE_TOLERANCE } from '../../../market/dxy';
import { componentClosesCte, componentsCompleteSql, dxyValueSql } from '../../../market/dxy-sql';
import { listPhaseRuns } from '../../engine/run-state';
import { type BoundStatement, bound, runBound, type StatementExecutor } from '../../engine/statements';
import { COPIED_FROM_LEGACY, copyOwnedSql, newWriterOwnedSql, valuesDifferSql } from './copy-ownership';

const DATA_BARS_COLUMNS = `canonical_symbol, provider_ticker, timeframe, ts_utc, open, high, low, close,
                              vol, vwap, trade_count, is_partial, source, ingested_at, raw`;

/** The data_bars row of legacy row `d`, as every copy writes it. */
const COPIED_ROW = `'DXY', NULL, '1m', d.ts_utc, d.open, d.high, d.low, d.close, coalesce(d.vol, 0), d.vwap, d.trade_count, false,
       'synthetic', d.ingested_at,
       jsonb_build_object('kind', 'dxy', 'version', d.derivation_version, 'copied_from', '${COPIED_FROM_LEGACY}')`;

/**
 * A key the copy finds taken: rewritten with legacy's values only when the row is the copy's own and
 * its values differ (a revision); another writer's row, or an unchanged one, is left as it is. With
 * no conflict this branch costs nothing. raw is merged, so a fallback's raw.not_regenerated stays.
 */
const REVISE_ON_CONFLICT = `ON CONFLICT (canonical_symbol, timeframe, ts_utc) DO UPDATE
   SET open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close, vol = EXCLUDED.vol,
       vwap = EXCLUDED.vwap, trade_count = EXCLUDED.trade_count, ingested_at = EXCLUDED.ingested_at,
       raw = n.raw || EXCLUDED.raw
 WHERE ${copyOwnedSql('n')}
   AND ${valuesDifferSql('n', 'EXCLUDED')}`;

/**
 * Phase 4's copy of [$1, $2): every active legacy minute inserted, or revised where the copy's own
 * row has other values; one row back, copied (inserted) and revised (rewritten).
 */
export function copyLegacyRangeSql(): string {
  return `WITH written AS (
INSERT INTO public.data_bars AS n (${DATA_BARS_COLUMNS})
SELECT ${COPIED_ROW}
  FROM public.derived_data_bars d
 WHERE d.canonical_symbol = 'DXY' AND d.timeframe = '1m' AND d.deleted_at IS NULL
   AND d.ts_utc >= $1 AND d.ts_utc < $2
${REVISE_ON_CONFLICT}
RETURNING (xmax = 0) AS inserted)
SELECT count(*) FILTER (WHERE inserted)::int AS copied, count(*) FILTER (WHERE NOT inserted)::int AS revised
  FROM written`;
}

/**
 * Phase 4's copy of [$1, $2) where data_bars holds no DXY minute: every active legacy minute inserted,
 * with no arbiter and nothing returned. A first copy's ranges are all like this, and the upsert's
 * speculative insertion (an index probe and a token per row) and its RETURNING cost about 15 % of the
 * batch (docs/architecture.md "Performance"). A key taken meanwhile fails it whole (unique violation):
 * copyLegacyRange then copies the range with the revising statement, as if it had never been empty.
 */
export function copyLegacyIntoEmptyRangeSql(): string {
  return `INSERT INTO public.data_bars (${DATA_BARS_COLUMNS})
SELECT ${COPIED_ROW}
  FROM public.derived_data_bars d
 WHERE d.canonical_symbol = 'DXY' AND d.timeframe = '1m' AND d.deleted_at IS NULL
   AND d.ts_utc >= $1 AND d.ts_utc < $2`;
}

export interface CopiedRange {
  /** Legacy minutes inserted into data_bars. */
  copied: number;
  /** Rows the copy had written before whose values legacy has since revised, rewritten. */
  revised: number;
}

const UNIQUE_VIOLATION = '23505';

/** Whether data_bars holds no DXY 1m row in the range (one probe of its unique index). */
async function holdsNoDxyMinute(sql: SqlOrTx, range: { from: Date; to: Date }): Promise<boolean> {
  const [row] = await sql<{ empty: boolean }[]>`
    select not exists (select 1 from public.data_bars
                        where canonical_symbol = 'DXY' and timeframe = '1m'
                          and ts_utc >= ${range.from} and ts_utc < ${range.to}) as empty`;
  return row?.empty === true;
}

/**
 * The plain INSERT into a range found empty, under a savepoint: null (nothing written, the transaction
 * still usable) when a key was taken since, by a writer that committed after the emptiness was read.
 */
export async function copyLegacyIntoEmptyRange(
  tx: TransactionSql,
  range: { from: Date; to: Date },
  write: StatementExecutor = runBound,
): Promise<CopiedRange | null> {
  try {
    const { count } = await tx.savepoint((inner) =>
      write(inner, bound(copyLegacyIntoEmptyRangeSql(), [range.from, range.to])),
    );
    return { copied: count, revised: 0 };
  } catch (error) {
    if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) return null;
    throw error;
  }
}

/**
 * Runs phase 4's copy of a range (a phase passes its ctx.exec, which runs only previewed statements):
 * inside a transaction, the plain INSERT where data_bars holds no DXY minute of the range; otherwise,
 * or when a key was taken meanwhile, the revising upsert.
 */
export async function copyLegacyRange(
  sql: SqlOrTx,
  range: { from: Date; to: Date },
  write: StatementExecutor = runBound,
): Promise<CopiedRange> {
  if ('savepoint' in sql && (await holdsNoDxyMinute(sql, range))) {
    const copied = await copyLegacyIntoEmptyRange(sql, range, write);
    if (copied) return copied;
  }
  const { rows } = await write(sql, bound(copyLegacyRangeSql(), [range.from, range.to]));
  const [row] = rows as Partial<CopiedRange>[];
  return { copied: row?.copied ?? 0, revised: row?.revised ?? 0 };
}

/** Phase 4's regenerate: calc_dxy_range_1m over [$1, $2). */
export const REGENERATE_RANGE_SQL = 'SELECT public.calc_dxy_range_1m($1, $2) AS result';

export async function regenerateRange(
  sql: SqlOrTx,
  range: { from: Date; to: Date },
  /** A phase passes its run's ctx.exec, which runs only previewed statements. */
  write: <T extends object>(sql: SqlOrTx, statement: BoundStatement) => Promise<{ rows: T[] }> = runBound,
): Promise<number> {
  const { rows } = await write<{ result: { inserted: number; updated: number } }>(
    sql,
    bound(REGENERATE_RANGE_SQL, [range.from, range.to]),
  );
  const result = rows[0]?.result;
  return (result?.inserted ?? 0) + (result?.updated ?? 0);
}

/**
 * The end (exclusive) of a batch starting at `from` holding at most `rows` legacy minutes, or
 * null when fewer remain (the batch then runs to the last legacy minute).
 */
export async function nextBatchEnd(sql: SqlOrTx, params: { from: Date; rows: number }): Promise<Date | null> {
  const [row] = await sql<{ ts_utc: Date }[]>`
    select ts_utc from public.derived_data_bars
     where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null and ts_utc >= ${params.from}
     order by ts_utc offset ${params.rows} limit 1`;
  return row?.ts_utc ?? null;
}

export async function legacyRange(sql: SqlOrTx): Promise<{ first: Date | null; last: Date | null; rows: number }> {
  const [row] = await sql<{ first: Date | null; last: Date | null; rows: number }[]>`
    select min(ts_utc) as first, max(ts_utc) as last, count(*) as rows from public.derived_data_bars
     where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null`;
  return row ?? { first: null, last: null, rows: 0 };
}

export function backfillLegacyRangeSql(): string {
  return `INSERT INTO public.derived_data_bars (canonical_symbol, timeframe, ts_utc, open, high, low, close, vol, vwap, trade_count,
                                        is_partial, source, source_timeframe, source_candles, expected_candles,
                                        quality_score, derivation_version, ingested_at, raw)
SELECT 'DXY', '1m', n.ts_utc, n.open, n.high, n.low, n.close, coalesce(n.vol, 0), n.vwap, n.trade_count,
       false, 'dxy', '1m', 6, 6, 2, coalesce((n.raw->>'version')::int, 1), n.ingested_at,
       jsonb_build_object('kind', 'dxy', 'version', coalesce((n.raw->>'version')::int, 1), 'backfilled_from', 'data_bars')
  FROM public.data_bars n
 WHERE n.canonical_symbol = 'DXY' AND n.timeframe = '1m' AND n.ts_utc >= $1 AND n.ts_utc < $2
   AND NOT EXISTS (SELECT 1 FROM public.derived_data_bars d
                    WHERE d.canonical_symbol = 'DXY' AND d.timeframe = '1m' AND d.ts_utc = n.ts_utc AND d.deleted_at IS NULL)
ON CONFLICT (canonical_symbol, timeframe, ts_utc) WHERE deleted_at IS NULL DO NOTHING`;
}

/**
 * The rollback's mirror of rederiveNewWriterMinutesSql: legacy rows the fence kept from following a
 * provider revision (restored with their value from before it) are re-derived by the legacy function
 * itself, where the components now give another value. Legacy's own completeness rule (all six > 0).
 */
export function rederiveLegacyMinutesSql(): string {
  return `SELECT d.ts_utc, public.calc_dxy_range_derived(d.ts_utc, d.ts_utc + interval '1 minute') AS result
  FROM public.derived_data_bars d
  JOIN (${componentClosesCte('$1', '$2')}) c ON c.ts_utc = d.ts_utc
 WHERE d.canonical_symbol = 'DXY' AND d.timeframe = '1m' AND d.deleted_at IS NULL AND d.ts_utc >= $1 AND d.ts_utc < $2
   AND ${componentsCompleteSql('c')}
   AND NOT abs(d.close - ${dxyValueSql('c')}) <= ${DXY_CLOSE_TOLERANCE} * abs(d.close)
 ORDER BY d.ts_utc`;
}

export async function backfillLegacyRange(sql: SqlOrTx, range: { from: Date; to: Date }): Promise<number> {
  const result = await sql.unsafe(backfillLegacyRangeSql(), [range.from, range.to]);
  return result.count;
}

/**
 * Legacy minutes with no data_bars row at all, copied across by key (the bridge, phase 5's
 * catch-up and phase 7's gap fill). The missing keys come from an anti-join of the two comparison
 * indexes (index-only on both sides); only those rows are then read from the legacy heap. Unlike
 * "everything after the newest data_bars minute", this also carries a legacy minute that landed
 * late, behind minutes the new writer already produced. A key taken meanwhile follows the copy's
 * rule (REVISE_ON_CONFLICT).
 */
export function copyMissingLegacyMinutesSql(): string {
  return `WITH missing AS MATERIALIZED (
  SELECT o.ts_utc FROM public.derived_data_bars o
   WHERE o.canonical_symbol = 'DXY' AND o.timeframe = '1m' AND o.deleted_at IS NULL AND o.ts_utc >= $1 AND o.ts_utc < $2
     AND NOT EXISTS (SELECT 1 FROM public.data_bars n
                      WHERE n.canonical_symbol = 'DXY' AND n.timeframe = '1m' AND n.ts_utc = o.ts_utc))
INSERT INTO public.data_bars AS n (${DATA_BARS_COLUMNS})
SELECT ${COPIED_ROW}
  FROM missing m
  JOIN public.derived_data_bars d
    ON d.canonical_symbol = 'DXY' AND d.timeframe = '1m' AND d.deleted_at IS NULL AND d.ts_utc = m.ts_utc
${REVISE_ON_CONFLICT}`;
}

export async function copyMissingLegacyMinutes(sql: SqlOrTx, range: { from: Date; to: Date }): Promise<number> {
  const result = await sql.unsafe(copyMissingLegacyMinutesSql(), [range.from, range.to]);
  return result.count;
}

/**
 * Revisions of [$1, $2): the rows the copy wrote whose open, high, low or close legacy's active row
 * now gives otherwise (a provider revised a component and the legacy path re-derived the minute)
 * take legacy's values. Rows of other writers are never touched (readNotOverwritten lists them).
 * Returns the minutes rewritten. The bridge runs it over a recent window every tick, phase 7 over
 * its whole gap-fill range.
 *
 * The range bounds both tables, not only legacy: PostgreSQL does not carry a range across the join's
 * equality, and during phase 4 data_bars' statistics still say "no DXY rows" (they were read before
 * the copy), so with the range on one side the planner walked every copied row of data_bars and hit
 * the batch statement timeout (measured on two years: 15 s, against 0.3 s bounded).
 */
export function reviseCopiedLegacyMinutesSql(): string {
  return `UPDATE public.data_bars n
   SET open = d.open, high = d.high, low = d.low, close = d.close, vol = coalesce(d.vol, 0), vwap = d.vwap,
       trade_count = d.trade_count, ingested_at = d.ingested_at,
       raw = n.raw || jsonb_build_object('version', d.derivation_version)
  FROM public.derived_data_bars d
 WHERE d.canonical_symbol = 'DXY' AND d.timeframe = '1m' AND d.deleted_at IS NULL AND d.ts_utc >= $1 AND d.ts_utc < $2
   AND n.canonical_symbol = 'DXY' AND n.timeframe = '1m' AND n.ts_utc = d.ts_utc AND n.ts_utc >= $1 AND n.ts_utc < $2
   AND ${copyOwnedSql('n')}
   AND ${valuesDifferSql('n', 'd')}
RETURNING n.ts_utc`;
}

export async function reviseCopiedLegacyMinutes(
  sql: SqlOrTx,
  range: { from: Date; to: Date },
  write: StatementExecutor = runBound,
): Promise<Date[]> {
  const { rows } = await write(sql, bound(reviseCopiedLegacyMinutesSql(), [range.from, range.to]));
  return (rows as { ts_utc: Date }[]).map((r) => r.ts_utc);
}

/**
 * Re-derives, with the new writer's own function, the rows calc_dxy_range_1m wrote (phase 6's
 * health check, the dual path) that are stale after a provider revision: the components now give
 * legacy's (re-derived) value, but the new writer had not run over the minute again (it was not
 * deployed yet, or the minute fell behind its look-back). The row stays the new writer's. A row
 * whose difference the components do not explain (legacy changed another way) is left alone and
 * listed like any other writer's.
 */
export function rederiveNewWriterMinutesSql(): string {
  return `SELECT n.ts_utc, public.calc_dxy_range_1m(n.ts_utc, n.ts_utc + interval '1 minute') AS result
  FROM public.derived_data_bars d
  JOIN public.data_bars n ON n.canonical_symbol = 'DXY' AND n.timeframe = '1m' AND n.ts_utc = d.ts_utc
                        AND n.ts_utc >= $1 AND n.ts_utc < $2
  JOIN (${componentClosesCte('$1', '$2')}) c ON c.ts_utc = d.ts_utc
 WHERE d.canonical_symbol = 'DXY' AND d.timeframe = '1m' AND d.deleted_at IS NULL AND d.ts_utc >= $1 AND d.ts_utc < $2
   AND ${newWriterOwnedSql('n')}
   AND ${valuesDifferSql('n', 'd')}
   AND ${componentsCompleteSql('c', { finite: true })}
   AND abs(${dxyValueSql('c')} - d.close) <= ${DXY_CLOSE_TOLERANCE} * abs(d.close)
 ORDER BY n.ts_utc`;
}

export async function rederiveNewWriterMinutes(
  sql: SqlOrTx,
  range: { from: Date; to: Date },
  write: StatementExecutor = runBound,
): Promise<Date[]> {
  const { rows } = await write(sql, bound(rederiveNewWriterMinutesSql(), [range.from, range.to]));
  return (rows as { ts_utc: Date }[]).map((r) => r.ts_utc);
}

/** How late a legacy minute may land (its write time after its bar start) and still be carried across. */
export const LATE_LEGACY_MARGIN_MS = 2 * 60 * 60_000;

/**
 * Where the by-key gap fill starts: phase 4's first copy attempt of this migration run (its
 * verification proved every legacy minute before it present), less the lateness margin. Null when
 * phase 4 never ran (nothing to fill against).
 */
export async function gapFillStart(sql: SqlOrTx, params: { migrationRunId: number }): Promise<Date | null> {
  const runs = await listPhaseRuns(sql, { migrationRunId: params.migrationRunId });
  const starts = runs.flatMap((run) => (run.phase === '4' && run.clockStartedAt ? [run.clockStartedAt.getTime()] : []));
  return starts.length > 0 ? new Date(Math.min(...starts) - LATE_LEGACY_MARGIN_MS) : null;
}
