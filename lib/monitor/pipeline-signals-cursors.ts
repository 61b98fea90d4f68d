/**
 * The aggregator's cursors as production keeps them (public.data_agg_state, docs/domain.md): per
 * task the start of the next window to process, its status and its last error. Production's
 * table grew by hand, so the columns are introspected and only those present are read (a missing
 * `hard_fail_streak` is reported as unknown, never as zero).
 *
 * The lag of a cursor is counted in open-market minutes between it and the data frontier
 * (lib/market/data-frontier.ts): a cursor resting at Friday's close over the weekend is 0 behind,
 * and one held back by a component that has not reported yet is not blamed for it. Only the DXY
 * family (DXY and its six components) is judged against that frontier; other symbols' tasks show
 * their status and errors but no lag.
 */
import type { SqlOrTx } from '../db/connection';
import type { DataFrontier } from '../market/data-frontier';
import { DXY_COMPONENTS, DXY_SYMBOL } from '../market/dxy';
import { countOpenMinutes } from '../market/market-hours';

export type CursorState = 'ok' | 'stalled' | 'hard_failed' | 'disabled' | 'erroring' | 'not-judged';

export interface CursorSignal {
  symbol: string;
  timeframe: string;
  /** last_agg_bar_ts_utc: the start of the next window to process. */
  cursor: Date | null;
  status: string | null;
  lastError: string | null;
  lastSuccessfulAt: Date | null;
  /** null: the column is absent (or empty) in this database. */
  hardFailStreak: number | null;
  runIntervalMinutes: number | null;
  /** Open-market minutes between the cursor and the data frontier; null outside the DXY family. */
  lagMinutes: number | null;
  /** The lag beyond which the cursor counts as stalled; null when not judged. */
  allowedLagMinutes: number | null;
  state: CursorState;
}

export interface CursorSignals {
  /** False when public.data_agg_state does not exist here. */
  present: boolean;
  /** The optional columns this database lacks (production may differ from the rehearsal world). */
  missingColumns: string[];
  tasks: CursorSignal[];
}

const REQUIRED = ['canonical_symbol', 'timeframe'] as const;
const OPTIONAL = [
  'last_agg_bar_ts_utc',
  'status',
  'last_error',
  'last_successful_at_utc',
  'hard_fail_streak',
  'run_interval_minutes',
  'aggregation_delay_seconds',
] as const;

const DXY_FAMILY = new Set<string>([DXY_SYMBOL, ...DXY_COMPONENTS]);

/** Minutes of a timeframe label ('5m', '1h', '4h', '1d'), or null when it is not one. */
export function timeframeMinutes(timeframe: string): number | null {
  const match = /^(\d+)([mhd])$/.exec(timeframe);
  if (!match) return null;
  const unit = match[2] === 'm' ? 1 : match[2] === 'h' ? 60 : 1440;
  return Number(match[1]) * unit;
}

/**
 * A healthy cursor trails the frontier by up to one window (it cannot pass a window before it
 * ends), one run interval (it moves only when its task runs) and the aggregation delay; the
 * setting's minutes (and a fast rehearsal's slack) are the tolerance on top.
 */
export function allowedCursorLag(params: {
  timeframe: string;
  runIntervalMinutes: number | null;
  delaySeconds: number | null;
  stallMinutes: number;
  slackMinutes?: number;
}): number | null {
  const window = timeframeMinutes(params.timeframe);
  if (window === null) return null;
  const interval = params.runIntervalMinutes ?? window;
  return (
    window + interval + Math.ceil((params.delaySeconds ?? 0) / 60) + params.stallMinutes + (params.slackMinutes ?? 0)
  );
}

export function cursorLagMinutes(cursor: Date | null, frontier: DataFrontier): number | null {
  if (!cursor) return null;
  return cursor >= frontier.through ? 0 : countOpenMinutes(cursor, frontier.through);
}

function stateOf(signal: Omit<CursorSignal, 'state'>): CursorState {
  if (signal.status === 'hard_failed') return 'hard_failed';
  if (signal.status === 'disabled') return 'disabled';
  if (signal.lagMinutes !== null && signal.allowedLagMinutes !== null && signal.lagMinutes > signal.allowedLagMinutes)
    return 'stalled';
  // Without a streak column, a last_error left in place is the only sign; with one, 0 means it recovered.
  if (signal.lastError && (signal.hardFailStreak === null || signal.hardFailStreak > 0)) return 'erroring';
  return signal.lagMinutes === null ? 'not-judged' : 'ok';
}

/** The columns of public.data_agg_state, or null when the table is absent. */
export async function aggStateColumns(sql: SqlOrTx): Promise<Set<string> | null> {
  // pg_attribute rather than information_schema: this runs on every runner tick.
  const rows = await sql<{ name: string }[]>`
    select attname as name from pg_attribute
     where attrelid = to_regclass('public.data_agg_state') and attnum > 0 and not attisdropped`;
  return rows.length === 0 ? null : new Set(rows.map((r) => r.name));
}

function asDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value : new Date(String(value));
}

function asNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function asText(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

export async function readCursorSignals(
  sql: SqlOrTx,
  params: {
    frontier: DataFrontier;
    stallMinutes: number;
    slackMinutes?: number;
    /** Only these tasks (e.g. DXY 5m for the alert); all when absent. */
    only?: { symbol: string; timeframe: string };
  },
): Promise<CursorSignals> {
  const columns = await aggStateColumns(sql);
  if (!columns || REQUIRED.some((c) => !columns.has(c))) return { present: false, missingColumns: [], tasks: [] };
  const read = [...REQUIRED, ...OPTIONAL.filter((c) => columns.has(c))];
  const rows = await sql<Record<string, unknown>[]>`
    select ${sql(read)} from public.data_agg_state
     ${params.only ? sql`where canonical_symbol = ${params.only.symbol} and timeframe = ${params.only.timeframe}` : sql``}
     order by canonical_symbol, timeframe`;
  const tasks = rows.map((row) => {
    const symbol = String(row.canonical_symbol);
    const timeframe = String(row.timeframe);
    const cursor = asDate(row.last_agg_bar_ts_utc);
    const runIntervalMinutes = asNumber(row.run_interval_minutes);
    const judged = DXY_FAMILY.has(symbol) && cursor !== null;
    const base = {
      symbol,
      timeframe,
      cursor,
      status: asText(row.status),
      lastError: asText(row.last_error),
      lastSuccessfulAt: asDate(row.last_successful_at_utc),
      hardFailStreak: asNumber(row.hard_fail_streak),
      runIntervalMinutes,
      lagMinutes: judged ? cursorLagMinutes(cursor, params.frontier) : null,
      allowedLagMinutes: judged
        ? allowedCursorLag({
            timeframe,
            runIntervalMinutes,
            delaySeconds: asNumber(row.aggregation_delay_seconds),
            stallMinutes: params.stallMinutes,
            slackMinutes: params.slackMinutes,
          })
        : null,
    };
    return { ...base, state: stateOf(base) };
  });
  return { present: true, missingColumns: OPTIONAL.filter((c) => !columns.has(c)), tasks };
}
