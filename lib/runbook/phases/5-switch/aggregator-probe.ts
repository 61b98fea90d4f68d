/**
 * Phase 5's behavioural check of the 5m aggregator, in a transaction (or savepoint) that is always
 * rolled back, calling the function as the workers do (by name, named arguments). Production's
 * data_bars refuses a symbol the registry does not hold and has no defaults, so the probe writes
 * rows for real registered symbols — DXY, whose 1m goes only into derived_data_bars, and a DXY
 * component, only into data_bars — with every column given (./probe-rows.ts), in a 5-minute window
 * a day before the earliest bar either table holds for that symbol (active, in derived_data_bars),
 * checked empty first.
 * Once the function reads data_bars only, the derived-only window must produce nothing and the
 * data_bars-only one a 5m bar: the control that shows the probe can see anything at all.
 */

import type { SqlOrTx } from '../../../db/connection';
import { DXY_COMPONENTS, DXY_SYMBOL } from '../../../market/dxy';
import { DAY_MS, MINUTE_MS } from '../../../time-units';
import { inRolledBackTransaction } from '../../engine/rolled-back';
import { bound, runBound, type StatementExecutor } from '../../engine/statements';
import { AGGREGATOR_5M } from './aggregator-function';
import { insertProbeRow, probeInsertSql, readProbeColumns } from './probe-rows';

export interface AggregatorProbe {
  /** 1m bars only in derived_data_bars produced (or counted towards) a 5m bar. */
  readsDerived: boolean;
  /** The positive control: 1m bars only in data_bars produced a 5m bar. */
  readsDataBars: boolean;
  /** What the function returned for each probe, for the evidence. */
  results: { derivedOnly: unknown; dataBarsOnly: unknown };
  /** The registered symbols and the windows the probe used (rolled back). */
  probes: { derivedOnly: ProbeWindow; dataBarsOnly: ProbeWindow };
}

interface ProbeWindow {
  symbol: string;
  from: string;
  to: string;
}

/** The probe's call, by name with named arguments as the workers call it (it writes a 5m bar, rolled back). */
const PROBE_CALL_SQL = `SELECT public.${AGGREGATOR_5M}(p_symbol => $1, p_from_utc => $2::timestamptz, p_to_utc => $3::timestamptz) AS r`;

const FIVE_MINUTES_MS = 5 * MINUTE_MS;
/** Used only when the symbol has no bar at all in either table. */
const EMPTY_HISTORY_WINDOW = new Date('2000-01-03T10:00:00Z');

/** How much a call's result says was aggregated: jsonb {stored, source_count} or a count of bars written. */
function aggregatedSomething(result: unknown): boolean {
  if (typeof result === 'number' || typeof result === 'string' || typeof result === 'bigint') return Number(result) > 0;
  if (result && typeof result === 'object') {
    const shaped = result as { stored?: unknown; source_count?: unknown };
    if (typeof shaped.stored === 'boolean' || typeof shaped.source_count === 'number') {
      return shaped.stored === true || Number(shaped.source_count ?? 0) > 0;
    }
  }
  throw new Error(
    `Cannot judge the aggregator's result ${JSON.stringify(result)}: neither a count nor {stored, source_count}.`,
  );
}

/**
 * Per timeframe the symbol has in `table`, by a loose scan of its (canonical_symbol, timeframe,
 * ts_utc) index — the unique key phase 2 guarantees on data_bars, the active-row key on
 * derived_data_bars — one index descent each instead of every bar of the symbol (seconds at ten
 * years, while validate's trial of this probe holds data_bars' writers behind phase 2's ALTER TABLE).
 * Only active legacy rows count: the aggregator reads no other, and its 5m upsert meets no other.
 * `per` is an aggregate over `b`, the symbol's bars of timeframe `t.tf` matching `filter`.
 */
function perTimeframeSql(table: 'data_bars' | 'derived_data_bars', per: string, filter = 'true'): string {
  const active = table === 'derived_data_bars' ? ' AND deleted_at IS NULL' : '';
  return `WITH RECURSIVE t(tf) AS (
  (SELECT timeframe FROM public.${table} WHERE canonical_symbol = $1${active} ORDER BY timeframe LIMIT 1)
  UNION ALL
  SELECT (SELECT timeframe FROM public.${table} WHERE canonical_symbol = $1${active} AND timeframe > t.tf
           ORDER BY timeframe LIMIT 1) FROM t WHERE t.tf IS NOT NULL)
SELECT (SELECT ${per} FROM public.${table} b
         WHERE b.canonical_symbol = $1 AND b.timeframe = t.tf${active.replace('deleted_at', 'b.deleted_at')} AND ${filter}) AS v
  FROM t WHERE t.tf IS NOT NULL`;
}

/** A 5-minute window a day before the symbol's earliest bar in either table, verified to hold no bar. */
async function windowBeforeHistory(sql: SqlOrTx, symbol: string): Promise<ProbeWindow> {
  const earliest: number[] = [];
  for (const table of ['data_bars', 'derived_data_bars'] as const) {
    const rows = await sql.unsafe<{ v: Date | null }[]>(perTimeframeSql(table, 'min(b.ts_utc)'), [symbol]);
    for (const row of rows) if (row.v) earliest.push(row.v.getTime());
  }
  const from =
    earliest.length > 0
      ? new Date(Math.floor(Math.min(...earliest) / FIVE_MINUTES_MS) * FIVE_MINUTES_MS - DAY_MS)
      : EMPTY_HISTORY_WINDOW;
  const to = new Date(from.getTime() + FIVE_MINUTES_MS);
  let taken = 0;
  for (const table of ['data_bars', 'derived_data_bars'] as const) {
    const rows = await sql.unsafe<{ v: number | string | null }[]>(
      perTimeframeSql(table, 'count(*)', 'b.ts_utc >= $2 AND b.ts_utc < $3'),
      [symbol, from, to],
    );
    for (const row of rows) taken += Number(row.v ?? 0);
  }
  if (taken > 0)
    throw new Error(`The probe window [${from.toISOString()}, ${to.toISOString()}) of ${symbol} holds bars: refused.`);
  return { symbol, from: from.toISOString(), to: to.toISOString() };
}

/** DXY and the first registered component; the probe refuses to invent a symbol. */
async function registeredProbeSymbols(sql: SqlOrTx): Promise<{ derivedOnly: string; dataBarsOnly: string }> {
  const rows = await sql<{ symbol: string }[]>`
    select canonical_symbol as symbol from public.core_asset_registry_all
     where canonical_symbol in ${sql([DXY_SYMBOL, ...DXY_COMPONENTS])}`;
  const registered = new Set(rows.map((r) => r.symbol));
  const component = DXY_COMPONENTS.find((symbol) => registered.has(symbol));
  if (!registered.has(DXY_SYMBOL) || !component)
    throw new Error(
      `The probe needs DXY and one of its components in core_asset_registry_all (found: ${[...registered].join(', ') || 'none'}).`,
    );
  return { derivedOnly: DXY_SYMBOL, dataBarsOnly: component };
}

export async function probeAggregatorInput(
  sql: SqlOrTx,
  /** A phase passes its run's ctx.exec: the probe's inserts and call are among its previewed statements. */
  write: StatementExecutor = runBound,
): Promise<AggregatorProbe> {
  let probe: AggregatorProbe | null = null;
  await inRolledBackTransaction(sql, async (tx) => {
    const symbols = await registeredProbeSymbols(tx);
    const derivedWindow = await windowBeforeHistory(tx, symbols.derivedOnly);
    const dataBarsWindow = await windowBeforeHistory(tx, symbols.dataBarsOnly);
    const derivedColumns = await readProbeColumns(tx, 'derived_data_bars');
    const dataBarsColumns = await readProbeColumns(tx, 'data_bars');
    // The component's own source and ticker, so that whatever CHECK production has on them accepts the row.
    const [own] = await tx<{ source: string; provider_ticker: string | null }[]>`
      select source, provider_ticker from public.data_bars
       where canonical_symbol = ${symbols.dataBarsOnly} and timeframe = '1m' order by ts_utc desc limit 1`;
    const bar = (at: Date) => ({
      timeframe: '1m',
      ts_utc: at.toISOString(),
      open: '1',
      high: '1',
      low: '1',
      close: '1',
      vol: '0',
      is_partial: 'false',
      ingested_at: at.toISOString(),
      raw: JSON.stringify({ cutover_probe: true }),
    });
    for (let i = 0; i < 5; i++) {
      const derivedAt = new Date(new Date(derivedWindow.from).getTime() + i * MINUTE_MS);
      await insertProbeRow(
        tx,
        {
          table: 'derived_data_bars',
          columns: derivedColumns,
          at: derivedAt,
          values: { ...bar(derivedAt), canonical_symbol: symbols.derivedOnly, source: 'dxy', deleted_at: null },
        },
        write,
      );
      const dataBarsAt = new Date(new Date(dataBarsWindow.from).getTime() + i * MINUTE_MS);
      await insertProbeRow(
        tx,
        {
          table: 'data_bars',
          columns: dataBarsColumns,
          at: dataBarsAt,
          values: {
            ...bar(dataBarsAt),
            canonical_symbol: symbols.dataBarsOnly,
            source: own?.source ?? 'synthetic',
            provider_ticker: own?.provider_ticker ?? null,
          },
        },
        write,
      );
    }
    const call = async (window: ProbeWindow) => {
      const { rows } = await write(tx, bound(PROBE_CALL_SQL, [window.symbol, window.from, window.to]));
      return (rows[0] as { r?: unknown } | undefined)?.r;
    };
    const derivedOnly = await call(derivedWindow);
    const dataBarsOnly = await call(dataBarsWindow);
    probe = {
      readsDerived: aggregatedSomething(derivedOnly),
      readsDataBars: aggregatedSomething(dataBarsOnly),
      results: { derivedOnly, dataBarsOnly },
      probes: { derivedOnly: derivedWindow, dataBarsOnly: dataBarsWindow },
    };
  });
  if (!probe) throw new Error('The aggregator probe produced no result.');
  return probe;
}

/** The texts of the probe's writes (rolled back), for a preview that lists every statement a run sends. */
export async function probeStatementTexts(sql: SqlOrTx): Promise<string[]> {
  return [
    probeInsertSql('derived_data_bars', await readProbeColumns(sql, 'derived_data_bars')),
    probeInsertSql('data_bars', await readProbeColumns(sql, 'data_bars')),
    PROBE_CALL_SQL,
  ];
}

/** Why a probe says the function does not read data_bars only, or null when it does. */
export function probeFailure(probe: AggregatorProbe): string | null {
  const where = (w: ProbeWindow) => `${w.symbol} [${w.from}, ${w.to})`;
  if (!probe.readsDataBars)
    return `1m bars only in data_bars (${where(probe.probes.dataBarsOnly)}) produced no 5m bar (probe, rolled back): the function does not aggregate what it should`;
  if (probe.readsDerived)
    return `1m bars only in derived_data_bars (${where(probe.probes.derivedOnly)}) still produced a 5m bar (probe, rolled back): the function still reads derived_data_bars`;
  return null;
}
