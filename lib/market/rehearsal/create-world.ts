/**
 * Creates the rehearsal world (DESIGN §3.1) in a database the console owns: the pipeline schema
 * in its pre-migration state, N days of component bars, legacy DXY 1m computed by the legacy
 * function, 5m/1h aggregates, registry rows, aggregation cursors, an empty run log, the clock
 * anchor and the simulated workers' state. Set-based throughout: 14 days take seconds.
 */
import type { Database } from '../../db/connection';
import { rehearsalWorkers, rehearsalWorld } from '../../db/console-schema';
import { anchorRehearsalClock } from '../clock';
import { DXY_SYMBOL } from '../dxy';
import { floorToMinute } from '../market-hours';
import { generateProviderBarsSql } from './generate-bars-sql';
import {
  AGGREGATE_1M_TO_5M_LEGACY_SQL,
  AGGREGATE_5M_TO_1H_SQL,
  CALC_DXY_RANGE_DERIVED_SQL,
} from './legacy-functions-sql';
import { pipelineSchemaSql, providerSource, type SchemaVariant } from './schema-sql';
import { REHEARSAL_SYMBOLS } from './symbols';

export interface CreateWorldOptions {
  variant: SchemaVariant;
  days: number;
  /** Simulated "now" at creation: history ends at this minute. Defaults to wall time. */
  now?: Date;
  speed?: number;
  log?: (line: string) => void;
}

export interface WorldSummary {
  variant: SchemaVariant;
  historyFrom: Date;
  historyTo: Date;
  providerBars: number;
  legacyDxyBars: number;
}

const FIVE_MINUTES_MS = 5 * 60_000;
const HOUR_MS = 60 * 60_000;

export const AGG_TASKS = [
  { timeframe: '5m', sourceTimeframe: '1m', runIntervalMinutes: 5, delaySeconds: 30, windowMs: FIVE_MINUTES_MS },
  { timeframe: '1h', sourceTimeframe: '5m', runIntervalMinutes: 60, delaySeconds: 120, windowMs: HOUR_MS },
] as const;

export function aggregatedSymbols(): string[] {
  return [...REHEARSAL_SYMBOLS.map((s) => s.symbol), DXY_SYMBOL];
}

export async function createRehearsalWorld(database: Database, options: CreateWorldOptions): Promise<WorldSummary> {
  const log = options.log ?? (() => {});
  const historyTo = floorToMinute(options.now ?? new Date());
  const historyFrom = new Date(historyTo.getTime() - options.days * 24 * HOUR_MS);
  const { sql: client, db } = database;

  log(`Creating the pipeline schema (${options.variant} variant)…`);
  // The workers' role, as on Supabase, so that phase 3's GRANT is rehearsed too (roles are per cluster).
  await client.unsafe(`DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN CREATE ROLE service_role NOLOGIN; END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`);
  await client.unsafe(pipelineSchemaSql(options.variant));
  await client.unsafe(CALC_DXY_RANGE_DERIVED_SQL);
  await client.unsafe(AGGREGATE_1M_TO_5M_LEGACY_SQL);
  await client.unsafe(AGGREGATE_5M_TO_1H_SQL);

  log(`Generating ${options.days} days of 1m bars for ${REHEARSAL_SYMBOLS.length} symbols…`);
  const inserted = await client.unsafe(generateProviderBarsSql(), [
    historyFrom.toISOString(),
    historyTo.toISOString(),
    providerSource(options.variant),
  ]);
  const providerBars = inserted.count;

  log('Deriving legacy DXY 1m with calc_dxy_range_derived…');
  const [legacy] = await client`
    select public.calc_dxy_range_derived(${historyFrom}, ${historyTo}) as result`;
  const legacyResult = legacy?.result as { success: boolean; inserted?: number; error?: string };
  if (!legacyResult?.success) throw new Error(`calc_dxy_range_derived failed: ${legacyResult?.error ?? 'unknown'}`);

  log('Aggregating 5m and 1h bars…');
  const fiveMinuteEnd = new Date(Math.floor(historyTo.getTime() / FIVE_MINUTES_MS) * FIVE_MINUTES_MS);
  const hourEnd = new Date(Math.floor(historyTo.getTime() / HOUR_MS) * HOUR_MS);
  for (const symbol of aggregatedSymbols()) {
    await client`select public.aggregate_1m_to_5m_window(${symbol}, ${historyFrom}, ${fiveMinuteEnd})`;
    await client`select public.aggregate_5m_to_1h_window(${symbol}, ${historyFrom}, ${hourEnd})`;
  }

  await seedRegistry(database);
  await seedAggregationCursors(database, { fiveMinuteEnd, hourEnd, now: historyTo });
  await client`analyze public.data_bars`;
  await client`analyze public.derived_data_bars`;

  await db.insert(rehearsalWorld).values({
    id: 1,
    schemaVariant: options.variant,
    days: options.days,
    historyFrom,
    historyTo,
  });
  await db.insert(rehearsalWorkers).values({ id: 1, mode: 'legacy', paused: false, nextMinute: historyTo });
  await anchorRehearsalClock(db, { simStart: historyTo, speed: options.speed ?? 1 });
  return {
    variant: options.variant,
    historyFrom,
    historyTo,
    providerBars,
    legacyDxyBars: legacyResult.inserted ?? 0,
  };
}

async function seedRegistry(database: Database): Promise<void> {
  const rows = [
    ...REHEARSAL_SYMBOLS.map((s) => ({
      symbol: s.symbol,
      assetClass: s.assetClass,
      ticker: s.ticker,
      ingestClass: 'massive_1m',
      calendar: s.calendar,
    })),
    { symbol: DXY_SYMBOL, assetClass: 'index', ticker: null, ingestClass: 'synthetic_dxy', calendar: 'fx' },
  ];
  for (const row of rows) {
    await database.sql`
      insert into public.core_asset_registry_all
        (canonical_symbol, asset_class, provider_ticker, display_name, quote_currency, active, test_active,
         base_timeframe, ingest_class, session_calendar)
      values (${row.symbol}, ${row.assetClass}, ${row.ticker}, ${row.symbol}, 'USD', true, false,
              '1m', ${row.ingestClass}, ${row.calendar})`;
  }
}

async function seedAggregationCursors(
  database: Database,
  cursors: { fiveMinuteEnd: Date; hourEnd: Date; now: Date },
): Promise<void> {
  for (const symbol of aggregatedSymbols()) {
    for (const task of AGG_TASKS) {
      const cursor = task.timeframe === '5m' ? cursors.fiveMinuteEnd : cursors.hourEnd;
      await database.sql`
        insert into public.data_agg_state
          (canonical_symbol, timeframe, source_timeframe, run_interval_minutes, aggregation_delay_seconds,
           last_agg_bar_ts_utc, status, last_successful_at_utc, next_run_at)
        values (${symbol}, ${task.timeframe}, ${task.sourceTimeframe}, ${task.runIntervalMinutes},
                ${task.delaySeconds}, ${cursor}, 'idle', ${cursors.now}, ${cursors.now})`;
    }
  }
}
