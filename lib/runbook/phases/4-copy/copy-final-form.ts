/**
 * The final form of phase 4's DXY rows (docs/phases.md, phase 4): every DXY 1m row of data_bars is
 * source 'synthetic' with raw.kind 'dxy'. Rows an earlier, aborted attempt left behind
 * ('migrated_from_derived', raw without kind) carry the right close and would pass a close-only
 * comparison forever, so the form is checked apart from the close.
 *
 * Reading the form reads the heap (source and raw are not in the comparison index), so each batch
 * reads it for its own range inside its transaction, while the pages it just wrote are hot
 * (copy-batch-check.ts), and the final verification reads only the rows outside the batches' window.
 */

import type { SqlOrTx } from '../../../db/connection';

export const FINAL_SOURCE = 'synthetic';
export const FINAL_KIND = 'dxy';
const NOT_FINAL_SAMPLE_LIMIT = 20;

export interface NotFinalRows {
  total: number;
  /** One line per (source, raw.kind) found, kind null when raw has none. */
  byForm: { source: string; kind: string | null; rows: number; first: string; last: string }[];
  samples: { ts_utc: string; source: string; kind: string | null; close: number | null }[];
}

/** Which DXY rows to read: all of them, those of a window [from, to), or those outside it. */
export type FormScope =
  | { rows: 'all' }
  | { rows: 'inside'; from: Date; to: Date }
  | { rows: 'outside'; from: Date; to: Date };

function scopeSql(scope: FormScope): { where: string; params: Date[] } {
  if (scope.rows === 'all') return { where: '', params: [] };
  return scope.rows === 'inside'
    ? { where: 'AND ts_utc >= $3 AND ts_utc < $4', params: [scope.from, scope.to] }
    : { where: 'AND (ts_utc < $3 OR ts_utc >= $4)', params: [scope.from, scope.to] };
}

/**
 * The rows not in the final form, grouped by what they are. The predicate implies the partial
 * comparison index's (DXY 1m), so the planner reads only DXY rows of the scope — in the heap, since
 * source and raw are not in that index; the copy wrote them in minute order, so that read is sequential.
 */
export async function readNotFinalRows(sql: SqlOrTx, scope: FormScope = { rows: 'all' }): Promise<NotFinalRows> {
  const { where, params } = scopeSql(scope);
  const notFinal = `canonical_symbol = 'DXY' AND timeframe = '1m'
       AND (source IS DISTINCT FROM $1 OR raw->>'kind' IS DISTINCT FROM $2) ${where}`;
  const byForm = await sql.unsafe<{ source: string; kind: string | null; rows: number; first: Date; last: Date }[]>(
    `SELECT source, raw->>'kind' AS kind, count(*)::int AS rows, min(ts_utc) AS first, max(ts_utc) AS last
       FROM public.data_bars WHERE ${notFinal}
      GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2`,
    [FINAL_SOURCE, FINAL_KIND, ...params],
  );
  const samples =
    byForm.length === 0
      ? []
      : await sql.unsafe<{ ts_utc: Date; source: string; kind: string | null; close: number | null }[]>(
          `SELECT ts_utc, source, raw->>'kind' AS kind, close FROM public.data_bars WHERE ${notFinal}
            ORDER BY ts_utc LIMIT ${NOT_FINAL_SAMPLE_LIMIT}`,
          [FINAL_SOURCE, FINAL_KIND, ...params],
        );
  return {
    total: byForm.reduce((n, f) => n + f.rows, 0),
    byForm: byForm.map((f) => ({ ...f, first: f.first.toISOString(), last: f.last.toISOString() })),
    samples: samples.map((r) => ({ ...r, ts_utc: r.ts_utc.toISOString() })),
  };
}

export const NO_NOT_FINAL_ROWS: NotFinalRows = { total: 0, byForm: [], samples: [] };

/** Two reads of disjoint rows as one: forms summed, first and last widened, the earliest samples kept. */
export function mergeNotFinal(a: NotFinalRows, b: NotFinalRows): NotFinalRows {
  const forms = new Map<string, NotFinalRows['byForm'][number]>();
  for (const form of [...a.byForm, ...b.byForm]) {
    const key = `${form.source}\u0000${form.kind ?? '\u0001'}`;
    const seen = forms.get(key);
    forms.set(
      key,
      seen
        ? {
            ...seen,
            rows: seen.rows + form.rows,
            // ISO minutes: their text order is their time order.
            first: [form.first, seen.first].sort()[0] as string,
            last: [form.last, seen.last].sort()[1] as string,
          }
        : { ...form },
    );
  }
  return {
    total: a.total + b.total,
    byForm: [...forms.values()].sort((x, y) => y.rows - x.rows || x.source.localeCompare(y.source)),
    samples: [...a.samples, ...b.samples]
      .sort((x, y) => x.ts_utc.localeCompare(y.ts_utc))
      .slice(0, NOT_FINAL_SAMPLE_LIMIT),
  };
}

export function describeForm(form: { source: string; kind: string | null }): string {
  return `source '${form.source}', ${form.kind === null ? 'raw without kind' : `raw.kind '${form.kind}'`}`;
}
