/**
 * Production's leftovers, planted in a new world before its aggregates are built (option
 * `leftovers`, REHEARSAL_LEFTOVERS=1):
 * - an earlier, aborted attempt's DXY 1m rows in data_bars (source 'migrated_from_derived' — 'ingest'
 *   under the plan variant's CHECK — and a `raw` without `kind`) over a stretch of history: most
 *   with the legacy close, a few with another close, a few at minutes with no legacy row;
 * - one whole open-market weekday whose legacy DXY was never derived though all six components are there;
 * - legacy minutes whose components were later lost (one component's bar deleted).
 * The counts are measured after planting, so the summary is exact whatever the random history.
 */
import type { Sql } from 'postgres';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../time-units';
import { DXY_COMPONENTS, DXY_SYMBOL } from '../dxy';
import { countOpenMinutes, fxOpenSql } from '../market-hours';
import type { PipelineVariant } from '../pipeline/variant';

export interface LeftoversSummary {
  /** DXY rows in data_bars written by the earlier attempt (all of the three kinds below). */
  earlierAttemptRows: number;
  /** …of which with a close that differs from the legacy row's. */
  earlierAttemptDifferentClose: number;
  /** …of which at a minute with no legacy row. */
  earlierAttemptWithoutLegacy: number;
  /** The UTC day (YYYY-MM-DD) whose legacy DXY is missing, or null when the history holds no whole weekday. */
  missingLegacyDay: string | null;
  /** Open-market minutes of that day with all six components and no legacy DXY. */
  missingLegacyDayMinutes: number;
  /** Legacy DXY minutes with a component bar missing. */
  legacyWithoutComponents: number;
}

const STRETCH_MS = 6 * HOUR_MS;
const DIFFERENT_CLOSES = 7;
const WITHOUT_LEGACY = 5;
const LOST_COMPONENT_MINUTES = 4;
const LOST_COMPONENT = 'USDSEK';
const ROWS_PER_BATCH = 100;

/** The earlier attempt's `source` in a variant (the plan's CHECK allows only massive_api/ingest). */
export function earlierAttemptSource(variant: PipelineVariant): string {
  return variant === 'production' ? 'migrated_from_derived' : 'ingest';
}

/** The first whole UTC day inside the history on which the FX market is open all day (not a holiday). */
function wholeWeekdayIn(from: Date, to: Date): Date | null {
  const day = new Date(Math.ceil(from.getTime() / DAY_MS) * DAY_MS);
  for (; day.getTime() + DAY_MS <= to.getTime(); day.setTime(day.getTime() + DAY_MS)) {
    if (countOpenMinutes(day, new Date(day.getTime() + DAY_MS)) === DAY_MS / MINUTE_MS) return new Date(day);
  }
  return null;
}

export async function plantLeftovers(
  sql: Sql,
  params: { variant: PipelineVariant; historyFrom: Date; historyTo: Date },
): Promise<LeftoversSummary> {
  const { historyFrom, historyTo } = params;
  const source = earlierAttemptSource(params.variant);

  // 1. The day the old derivation never fired.
  const day = wholeWeekdayIn(historyFrom, historyTo);
  let missingLegacyDayMinutes = 0;
  if (day) {
    const removed = await sql`
      delete from public.derived_data_bars
       where canonical_symbol = ${DXY_SYMBOL} and timeframe = '1m'
         and ts_utc >= ${day} and ts_utc < ${new Date(day.getTime() + DAY_MS)}`;
    missingLegacyDayMinutes = removed.count;
  }

  // 2. The earlier attempt: a stretch of legacy minutes copied into data_bars, after the missing day.
  const stretchStart = new Date(
    Math.floor(((day ? day.getTime() + DAY_MS : historyFrom.getTime()) + 2 * HOUR_MS) / HOUR_MS) * HOUR_MS,
  );
  const stretchEnd = new Date(Math.min(stretchStart.getTime() + STRETCH_MS, historyTo.getTime()));
  const attemptAt = new Date(Math.max(stretchEnd.getTime(), historyTo.getTime() - HOUR_MS));
  await sql`
    insert into public.data_bars (canonical_symbol, provider_ticker, timeframe, ts_utc, open, high, low, close,
                                  vol, vwap, trade_count, is_partial, source, ingested_at, raw)
    select ${DXY_SYMBOL}, null, '1m', d.ts_utc, d.open, d.high, d.low, d.close, 0, null, 0, false, ${source},
           ${attemptAt},
           jsonb_build_object('migrated_from', 'derived_data_bars',
                              'batch', (row_number() over (order by d.ts_utc) - 1) / ${ROWS_PER_BATCH} + 1)
      from public.derived_data_bars d
     where d.canonical_symbol = ${DXY_SYMBOL} and d.timeframe = '1m' and d.deleted_at is null
       and d.ts_utc >= ${stretchStart} and d.ts_utc < ${stretchEnd}`;
  // A few with another close (the attempt ran against legacy values that were later re-derived).
  await sql`
    update public.data_bars b
       set open = b.close * 1.0004, high = b.close * 1.0004, low = b.close * 1.0004, close = b.close * 1.0004
     where b.id in (
       select id from (
         select id, row_number() over (order by ts_utc) as n from public.data_bars
          where canonical_symbol = ${DXY_SYMBOL} and timeframe = '1m' and source = ${source}) r
        where r.n % 29 = 3
        order by r.n
        limit ${DIFFERENT_CLOSES})`;
  // A few at open minutes with no legacy row (a component was missing), carrying the previous legacy close.
  await sql`
    insert into public.data_bars (canonical_symbol, provider_ticker, timeframe, ts_utc, open, high, low, close,
                                  vol, vwap, trade_count, is_partial, source, ingested_at, raw)
    select ${DXY_SYMBOL}, null, '1m', m.ts, p.close, p.close, p.close, p.close, 0, null, 0, false, ${source},
           ${attemptAt}, jsonb_build_object('migrated_from', 'derived_data_bars', 'batch', 0)
      from generate_series(${stretchStart}::timestamptz, ${historyTo}::timestamptz - interval '1 minute',
                           interval '1 minute') as m(ts)
      cross join lateral (
        select d.close from public.derived_data_bars d
         where d.canonical_symbol = ${DXY_SYMBOL} and d.timeframe = '1m' and d.deleted_at is null and d.ts_utc < m.ts
         order by d.ts_utc desc limit 1) p
     where ${sql.unsafe(fxOpenSql('m.ts'))}
       and not exists (select 1 from public.derived_data_bars d
                        where d.canonical_symbol = ${DXY_SYMBOL} and d.timeframe = '1m' and d.ts_utc = m.ts)
     order by m.ts
     limit ${WITHOUT_LEGACY}`;

  // 3. Legacy minutes whose components were lost later: after the stretch, spread out.
  const lost = await sql<{ ts_utc: Date }[]>`
    select ts_utc from (
      select d.ts_utc, row_number() over (order by d.ts_utc) as n from public.derived_data_bars d
       where d.canonical_symbol = ${DXY_SYMBOL} and d.timeframe = '1m' and d.deleted_at is null
         and d.ts_utc >= ${new Date(stretchEnd.getTime() + HOUR_MS)}
         and not exists (select 1 from public.data_bars b
                          where b.canonical_symbol = ${DXY_SYMBOL} and b.timeframe = '1m' and b.ts_utc = d.ts_utc)) r
     where r.n % 17 = 1
     order by r.n
     limit ${LOST_COMPONENT_MINUTES}`;
  await sql`
    delete from public.data_bars
     where canonical_symbol = ${LOST_COMPONENT} and timeframe = '1m'
       and ts_utc = any(${lost.map((r) => r.ts_utc.toISOString())}::timestamptz[])`;

  const [counts] = await sql<{ rows: number; different: number; without_legacy: number; lost_components: number }[]>`
    select count(*)::int as rows,
           count(*) filter (where d.close is not null and abs(b.close - d.close) > 1e-9 * abs(d.close))::int as different,
           count(*) filter (where d.ts_utc is null)::int as without_legacy,
           (select count(*)::int from public.derived_data_bars l
             where l.canonical_symbol = ${DXY_SYMBOL} and l.timeframe = '1m' and l.deleted_at is null
               and (select count(*) from public.data_bars c
                     where c.timeframe = '1m' and c.ts_utc = l.ts_utc
                       and c.canonical_symbol = any(${[...DXY_COMPONENTS]}::text[])) < ${DXY_COMPONENTS.length})
             as lost_components
      from public.data_bars b
      left join public.derived_data_bars d
        on d.canonical_symbol = b.canonical_symbol and d.timeframe = '1m' and d.ts_utc = b.ts_utc
       and d.deleted_at is null
     where b.canonical_symbol = ${DXY_SYMBOL} and b.timeframe = '1m'`;
  return {
    earlierAttemptRows: counts?.rows ?? 0,
    earlierAttemptDifferentClose: counts?.different ?? 0,
    earlierAttemptWithoutLegacy: counts?.without_legacy ?? 0,
    missingLegacyDay: day ? day.toISOString().slice(0, 10) : null,
    missingLegacyDayMinutes,
    legacyWithoutComponents: counts?.lost_components ?? 0,
  };
}

/** One line for the launcher and rehearsal:reset. */
export function describeLeftovers(leftovers: LeftoversSummary): string {
  return (
    `Leftovers planted: ${leftovers.earlierAttemptRows} earlier-attempt DXY rows in data_bars ` +
    `(${leftovers.earlierAttemptDifferentClose} with another close, ${leftovers.earlierAttemptWithoutLegacy} without a legacy row), ` +
    `${leftovers.missingLegacyDay ? `no legacy DXY on ${leftovers.missingLegacyDay} (${leftovers.missingLegacyDayMinutes} minutes)` : 'no whole weekday without legacy DXY'}, ` +
    `${leftovers.legacyWithoutComponents} legacy minutes whose components are gone.`
  );
}
