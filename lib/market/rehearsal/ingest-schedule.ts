/**
 * When each provider symbol's 1m bars land in the rehearsal world (docs/operations.md "Rehearse
 * first"). In production the tick-factory fetches a few assets per run, so the six components of a
 * minute arrive minutes apart:
 * - `together`: every symbol's bar for minute m lands in the run right after m (the deterministic
 *   world the existing tests start from);
 * - `staggered`: each symbol is currently 0–4 minutes late, its lateness changing now and then
 *   (a bar for m lands in the first run at or after m + 1 min + lag; when the lag shrinks, several
 *   land at once); a few times per open-market day the provider holds one DXY component back for
 *   30–60 minutes, after which all its held bars land in one run — late, not lost.
 * Each symbol's progress is a cursor (the next minute it has not landed for) kept in
 * cutover.rehearsal_ingestion and committed with the bars, so a restart neither loses nor doubles one.
 */
import type { SqlOrTx } from '../../db/connection';
import type { IngestionSchedule } from '../../db/console-schema';
import {
  insertMissingSymbolIngestion,
  readSymbolIngestion,
  type SymbolIngestion,
} from '../../db/tables/rehearsal-ingestion';
import { MINUTE_MS } from '../../time-units';
import { DXY_COMPONENTS } from '../dxy';
import { isFxOpen } from '../market-hours';
import { REHEARSAL_SYMBOLS } from './symbols';

export const MAX_LAG_MINUTES = 4;
/** A symbol's lateness changes about every 20 runs. */
const LAG_CHANGE_PER_RUN = 1 / 20;
/** Single-symbol hold-backs per 24 hours of open market. */
export const HOLDS_PER_OPEN_DAY = 3;
export const HOLD_MINUTES = { min: 30, max: 60 } as const;

const COMPONENTS: ReadonlySet<string> = new Set(DXY_COMPONENTS);

/**
 * Every symbol's progress, adding rows for symbols that have none yet: they start at the
 * tick-factory's next minute from their newest close, and (staggered) at lags spread over 0–4 so
 * the components are apart from the first run on.
 */
export async function loadSymbolIngestion(
  sql: SqlOrTx,
  params: { nextMinute: Date; schedule: IngestionSchedule },
): Promise<SymbolIngestion[]> {
  const existing = await readSymbolIngestion(sql);
  const known = new Set(existing.map((row) => row.symbol));
  const missing = REHEARSAL_SYMBOLS.filter((s) => !known.has(s.symbol));
  if (missing.length === 0) return existing;
  const closes = await readLastCloses(
    sql,
    missing.map((s) => s.symbol),
  );
  await insertMissingSymbolIngestion(
    sql,
    missing.map((symbol) => ({
      symbol: symbol.symbol,
      nextMinute: params.nextMinute,
      lastClose: closes.get(symbol.symbol) ?? symbol.level,
      lagMinutes: params.schedule === 'staggered' ? REHEARSAL_SYMBOLS.indexOf(symbol) % (MAX_LAG_MINUTES + 1) : 0,
      heldUntil: null,
    })),
  );
  return readSymbolIngestion(sql);
}

async function readLastCloses(sql: SqlOrTx, symbols: string[]): Promise<Map<string, number>> {
  const rows = await sql<{ symbol: string; close: number }[]>`
    select s.symbol, b.close
      from unnest(${symbols}::text[]) as s(symbol)
      cross join lateral (
        select close from public.data_bars
         where canonical_symbol = s.symbol and timeframe = '1m'
         order by ts_utc desc limit 1) b`;
  return new Map(rows.map((row) => [row.symbol, row.close]));
}

/**
 * Where each symbol's cursor moves in the run at `runAt` (the start of the minute after the one the
 * run is for): the bars of [old cursor, new cursor) land in this run. Pure apart from `random`;
 * returns new rows and leaves `states` as they are (the caller keeps them only once committed).
 */
export function planIngestionRun(
  states: readonly SymbolIngestion[],
  params: { runAt: Date; schedule: IngestionSchedule; random: () => number },
): SymbolIngestion[] {
  const runAt = params.runAt.getTime();
  if (params.schedule === 'together') {
    return states.map((s) => ({ ...s, nextMinute: new Date(Math.max(s.nextMinute.getTime(), runAt)) }));
  }
  const { random } = params;
  const next = states.map((s) => {
    const lagMinutes = random() < LAG_CHANGE_PER_RUN ? Math.floor(random() * (MAX_LAG_MINUTES + 1)) : s.lagMinutes;
    const heldUntil = s.heldUntil && s.heldUntil.getTime() > runAt ? s.heldUntil : null;
    return { ...s, lagMinutes, heldUntil };
  });
  maybeStartHold(next, { runAt, random });
  return next.map((s) => {
    if (s.heldUntil) return s;
    const target = Math.max(s.nextMinute.getTime(), runAt - s.lagMinutes * MINUTE_MS);
    return { ...s, nextMinute: new Date(target) };
  });
}

/** One DXY component at a time, a few times per open-market day. */
function maybeStartHold(states: SymbolIngestion[], params: { runAt: number; random: () => number }): void {
  const { runAt, random } = params;
  const components = states.filter((s) => COMPONENTS.has(s.symbol));
  if (components.length === 0 || components.some((s) => s.heldUntil)) return;
  if (!isFxOpen(new Date(runAt - MINUTE_MS))) return;
  if (random() >= HOLDS_PER_OPEN_DAY / (24 * 60)) return;
  const held = components[Math.floor(random() * components.length)];
  if (!held) return;
  const minutes = HOLD_MINUTES.min + Math.floor(random() * (HOLD_MINUTES.max - HOLD_MINUTES.min + 1));
  held.heldUntil = new Date(runAt + minutes * MINUTE_MS);
}
