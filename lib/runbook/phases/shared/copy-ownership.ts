/**
 * Who owns a DXY 1m row of data_bars, and so who may rewrite it (docs/phases.md "Who owns a DXY
 * row"). Providers revise recent bars and the legacy path re-derives DXY over them, so a row the
 * console copied from legacy (phase 4, phase 5's catch-up, the bridge, phase 7's gap fill, phase
 * 4's regenerate fallback) must follow legacy's later values. A row any other writer put there —
 * calc_dxy_range_1m (raw without copied_from), an earlier attempt, a provider — is that writer's:
 * the copy leaves it alone and says whose it is, and Reconcile is the way to repair it.
 */
import type { SqlOrTx } from '../../../db/connection';
import { DXY_CLOSE_TOLERANCE } from '../../../market/dxy';

/** The raw.copied_from of every row the console's copy writes. */
export const COPIED_FROM_LEGACY = 'derived_data_bars';

/**
 * True for a data_bars row the console's copy wrote (and may therefore revise), false for any other —
 * never null (a raw without copied_from would make `NOT …` null and drop the row from a listing).
 */
export function copyOwnedSql(alias: string): string {
  return `(${alias}.source = 'synthetic' AND coalesce(${alias}.raw->>'copied_from' = '${COPIED_FROM_LEGACY}', false))`;
}

/**
 * True for a row calc_dxy_range_1m wrote (synthetic, raw.kind dxy, neither copied nor an earlier
 * attempt's normalized row). Such a row is never overwritten with legacy's values; the new writer's
 * own function may re-derive it from the (revised) components.
 */
export function newWriterOwnedSql(alias: string): string {
  return `(${alias}.source = 'synthetic' AND coalesce(${alias}.raw->>'kind' = 'dxy', false)
    AND NOT ${alias}.raw ? 'copied_from' AND NOT ${alias}.raw ? 'normalized_from')`;
}

/** The columns a revision is judged by; for DXY open = high = low = close, so any one revised shows. */
const REVISED_COLUMNS = ['open', 'high', 'low', 'close'] as const;

/**
 * True when `row`'s open, high, low or close differs from `legacy`'s by more than
 * DXY_CLOSE_TOLERANCE relative to legacy's (a null on one side only, or a NaN, differs; equal values
 * never do). Within the tolerance a row is not rewritten: the comparison the verification makes.
 */
export function valuesDifferSql(row: string, legacy: string): string {
  const differs = (column: string) => {
    const mine = `${row}.${column}`;
    const theirs = `${legacy}.${column}`;
    return `(${mine} IS DISTINCT FROM ${theirs} AND (${mine} IS NULL OR ${theirs} IS NULL OR NOT abs(${mine} - ${theirs}) <= ${DXY_CLOSE_TOLERANCE} * abs(${theirs})))`;
  };
  return `(${REVISED_COLUMNS.map(differs).join('\n        OR ')})`;
}

/** ownerSql's name for the copy itself. */
export const COPY_OWNER = 'synthetic/dxy (the console’s copy of legacy)';

/** Who wrote a data_bars row, as the results and events say it ("owned by …, not overwritten"). */
export function ownerSql(alias: string): string {
  const kind = `coalesce(${alias}.raw->>'kind', 'no raw.kind')`;
  return `case
    when ${copyOwnedSql(alias)} then '${COPY_OWNER}'
    when ${alias}.source = 'synthetic' and ${alias}.raw ? 'normalized_from'
      then 'synthetic/' || ${kind} || ' (an earlier attempt''s row, normalized by phase 2)'
    when ${alias}.source = 'synthetic' and ${alias}.raw->>'kind' = 'dxy' and not ${alias}.raw ? 'copied_from'
      then 'synthetic/dxy (calc_dxy_range_1m, the new writer)'
    else ${alias}.source || '/' || ${kind}
  end`;
}

/** DXY rows that differ from legacy by value and are not the copy's, grouped by owner. */
export interface NotOverwritten {
  total: number;
  byOwner: { owner: string; rows: number }[];
  samples: { ts_utc: string; owner: string; close: number | null; legacy_close: number }[];
}

const NOT_OVERWRITTEN_SAMPLES = 20;

/**
 * The minutes of [from, to) where data_bars differs from the active legacy row by value but the
 * row belongs to another writer, so the copy did not (and will not) rewrite it. Read-only.
 */
export async function readNotOverwritten(sql: SqlOrTx, range: { from: Date; to: Date }): Promise<NotOverwritten> {
  const rows = await sql.unsafe<{ ts_utc: Date; owner: string; close: number | null; legacy_close: number }[]>(
    `select n.ts_utc, ${ownerSql('n')} as owner, n.close, d.close as legacy_close
       from public.derived_data_bars d
       join public.data_bars n on n.canonical_symbol = 'DXY' and n.timeframe = '1m' and n.ts_utc = d.ts_utc
      where d.canonical_symbol = 'DXY' and d.timeframe = '1m' and d.deleted_at is null
        and d.ts_utc >= $1 and d.ts_utc < $2
        and not ${copyOwnedSql('n')} and ${valuesDifferSql('n', 'd')}
      order by n.ts_utc`,
    [range.from, range.to],
  );
  const byOwner = new Map<string, number>();
  for (const row of rows) byOwner.set(row.owner, (byOwner.get(row.owner) ?? 0) + 1);
  return {
    total: rows.length,
    byOwner: [...byOwner].map(([owner, count]) => ({ owner, rows: count })),
    samples: rows
      .slice(0, NOT_OVERWRITTEN_SAMPLES)
      .map((r) => ({ ts_utc: r.ts_utc.toISOString(), owner: r.owner, close: r.close, legacy_close: r.legacy_close })),
  };
}

/** "3 owned by synthetic/dxy (calc_dxy_range_1m, the new writer), not overwritten (first: …)", or null when none. */
export function describeNotOverwritten(found: NotOverwritten): string | null {
  if (found.total === 0) return null;
  const owners = found.byOwner.map((o) => `${o.rows} owned by ${o.owner}`).join(', ');
  const first = found.samples
    .slice(0, 5)
    .map((s) => s.ts_utc)
    .join(', ');
  return `${found.total} minutes differ from legacy but are not the copy's: ${owners}, not overwritten (first: ${first}); Reconcile repairs them`;
}
