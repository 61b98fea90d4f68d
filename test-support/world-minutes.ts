/**
 * What a rehearsal world holds minute by minute — each DXY component's close and landing time,
 * the legacy DXY row and data_bars' DXY row — for tests of the simulated workers' ingestion.
 */
import type { Sql } from 'postgres';
import { computeDxy, DXY_COMPONENTS, type DxyComponent } from '../lib/market/dxy';
import { MINUTE_MS } from '../lib/time-units';

export interface WorldMinute {
  minute: Date;
  components: Map<string, { close: number; ingestedAt: Date }>;
  legacy: number | null;
  dataBars: number | null;
}

export async function readWorldMinutes(sql: Sql, from: Date, to: Date): Promise<WorldMinute[]> {
  const bars = await sql<{ canonical_symbol: string; ts_utc: Date; close: number; ingested_at: Date }[]>`
    select canonical_symbol, ts_utc, close, ingested_at from public.data_bars
     where timeframe = '1m' and canonical_symbol = any(${DXY_COMPONENTS as string[]}::text[])
       and ts_utc >= ${from} and ts_utc < ${to}`;
  const legacy = await sql<{ ts_utc: Date; close: number }[]>`
    select ts_utc, close from public.derived_data_bars
     where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null and ts_utc >= ${from} and ts_utc < ${to}`;
  const dxy = await sql<{ ts_utc: Date; close: number }[]>`
    select ts_utc, close from public.data_bars
     where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc >= ${from} and ts_utc < ${to}`;
  const minutes: WorldMinute[] = [];
  const byTime = new Map<number, WorldMinute>();
  for (let t = from.getTime(); t < to.getTime(); t += MINUTE_MS) {
    const entry: WorldMinute = { minute: new Date(t), components: new Map(), legacy: null, dataBars: null };
    minutes.push(entry);
    byTime.set(t, entry);
  }
  for (const bar of bars) {
    byTime.get(bar.ts_utc.getTime())?.components.set(bar.canonical_symbol, {
      close: bar.close,
      ingestedAt: bar.ingested_at,
    });
  }
  for (const row of legacy) {
    const entry = byTime.get(row.ts_utc.getTime());
    if (entry) entry.legacy = row.close;
  }
  for (const row of dxy) {
    const entry = byTime.get(row.ts_utc.getTime());
    if (entry) entry.dataBars = row.close;
  }
  return minutes;
}

export function isComplete(minute: WorldMinute): boolean {
  return DXY_COMPONENTS.every((symbol) => minute.components.has(symbol));
}

/** DXY over the minute's current component closes (null when one is missing). */
export function formulaDxy(minute: WorldMinute): number | null {
  const closes: Partial<Record<DxyComponent, number>> = {};
  for (const symbol of DXY_COMPONENTS) {
    const component = minute.components.get(symbol);
    if (component) closes[symbol] = component.close;
  }
  return computeDxy(closes);
}

export function relativeDifference(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}
