/**
 * Provider revisions in the rehearsal world: now and then (REHEARSAL_REVISIONS_PER_HOUR) the
 * provider revises a recent bar of one DXY component; the tick-factory re-fetches its last bars and
 * overwrites that row in public.data_bars, and its derivation re-derives DXY over the minute. Each
 * revision is recorded in cutover.rehearsal_revisions (docs/operations.md "Rehearse first").
 */
import type { TransactionSql } from 'postgres';
import { insertProviderRevision } from '../../db/tables/rehearsal-ingestion';
import { MINUTE_MS } from '../../time-units';
import { DXY_COMPONENTS } from '../dxy';
import { normal } from './provider-bars';
import { REHEARSAL_SYMBOLS } from './symbols';

/** How far back the tick-factory re-fetches, so how recent a revised bar is. */
export const REVISION_LOOKBACK_MINUTES = 30;

export interface AppliedRevision {
  symbol: string;
  minute: Date;
  oldClose: number;
  newClose: number;
}

/**
 * With probability perHour/60 (one run per simulated minute), revises one recent bar of a random
 * component: a new close a few minutes' volatility away (far beyond the 1e-9 comparison tolerance),
 * high and low widened to hold open and close, ingested_at the run's time. Null when nothing was
 * revised (no draw, or no recent bar of that component).
 */
export async function maybeReviseRecentBar(
  tx: TransactionSql,
  params: { runAt: Date; perHour: number; random?: () => number },
): Promise<AppliedRevision | null> {
  const random = params.random ?? Math.random;
  if (params.perHour <= 0 || random() >= params.perHour / 60) return null;
  const symbol = DXY_COMPONENTS[Math.floor(random() * DXY_COMPONENTS.length)];
  const spec = REHEARSAL_SYMBOLS.find((s) => s.symbol === symbol);
  if (!symbol || !spec) return null;
  const shock = normal();
  const factor = Math.exp(spec.sigma * (2 + Math.abs(shock)) * (shock < 0 ? -1 : 1));
  const since = new Date(params.runAt.getTime() - REVISION_LOOKBACK_MINUTES * MINUTE_MS);
  const [row] = await tx<{ ts_utc: Date; old_close: number; new_close: number }[]>`
    with picked as (
      select ts_utc, close from public.data_bars
       where canonical_symbol = ${symbol} and timeframe = '1m' and ts_utc >= ${since} and ts_utc < ${params.runAt}
       order by random() limit 1)
    update public.data_bars b
       set close = p.close * ${factor}::float8,
           high = greatest(b.high, b.open, p.close * ${factor}::float8),
           low = least(b.low, b.open, p.close * ${factor}::float8),
           ingested_at = ${params.runAt}
      from picked p
     where b.canonical_symbol = ${symbol} and b.timeframe = '1m' and b.ts_utc = p.ts_utc
    returning b.ts_utc, p.close as old_close, b.close as new_close`;
  if (!row) return null;
  const revision = { symbol, minute: row.ts_utc, oldClose: row.old_close, newClose: row.new_close };
  await insertProviderRevision(tx, {
    symbol,
    tsUtc: revision.minute,
    oldClose: revision.oldClose,
    newClose: revision.newClose,
    revisedAt: params.runAt,
  });
  return revision;
}
