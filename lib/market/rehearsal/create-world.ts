/**
 * Creates the rehearsal world in a database the console owns: the roles and the pipeline schema and
 * functions in their pre-migration state, N days of component bars, legacy DXY 1m computed by the
 * legacy function, optionally production's leftovers, 5m/1h aggregates, registry rows, aggregation
 * cursors, an empty run log, the clock anchor and the simulated workers' state. Set-based
 * throughout, a year per statement (bulk-history.ts): 14 days take seconds.
 */
import type { Database } from '../../db/connection';
import { insertRehearsalWorkers, type WorldIngestion } from '../../db/tables/rehearsal-workers';
import { insertRehearsalWorld } from '../../db/tables/rehearsal-world';
import { HOUR_MS } from '../../time-units';
import { anchorRehearsalClock } from '../clock';
import { DXY_SYMBOL } from '../dxy';
import { floorToMinute } from '../market-hours';
import type { PipelineVariant } from '../pipeline/variant';
import { deriveLegacyHistory, generateProviderHistory } from './bulk-history';
import { type LeftoversSummary, plantLeftovers } from './leftovers';
import { pipelineFunctionsSql } from './legacy-functions-sql';
import { pipelineSchemaSql, providerSource, rolesSql, SUPABASE_DEFAULT_PRIVILEGES_SQL } from './schema-sql';
import { SEED_1H_AGGREGATES_SQL, SEED_5M_AGGREGATES_SQL } from './seed-aggregates-sql';
import { REHEARSAL_SYMBOLS } from './symbols';

export interface CreateWorldOptions {
  variant: PipelineVariant;
  days: number;
  /** Simulated "now" at creation: history ends at this minute. Defaults to wall time. */
  now?: Date;
  speed?: number;
  /** Plant production's leftovers: an earlier attempt's DXY rows in data_bars and holes in the legacy history. */
  leftovers?: boolean;
  /** How the simulated provider and writers behave (rehearsal-options.ts); unset: TOGETHER_INGESTION. */
  ingestion?: WorldIngestion;
  /**
   * PostgreSQL's setseed() for the history's random walks and provider gaps (a number in [-1, 1]):
   * the same seed gives the same history, so a test run's worlds can be built again exactly
   * (docs/testing.md). Unset: random, as a rehearsal should be.
   */
  seed?: number;
  log?: (line: string) => void;
}

export interface WorldSummary {
  variant: PipelineVariant;
  historyFrom: Date;
  historyTo: Date;
  providerBars: number;
  /** Active legacy DXY 1m rows once the world is built (after any leftovers were planted). */
  legacyDxyBars: number;
  leftovers: LeftoversSummary | null;
}

const FIVE_MINUTES_MS = 5 * 60_000;

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
  const { sql: client } = database;

  log(`Creating the pipeline schema (${options.variant} variant)…`);
  // The roles as on Supabase (the workers' service_role in both variants), so that phase 3's
  // privileges are rehearsed too. Supabase's default privileges come before any function, so the
  // pipeline's functions — and whatever a phase creates later — carry them.
  await client.unsafe(rolesSql(options.variant));
  if (options.variant === 'production') await client.unsafe(SUPABASE_DEFAULT_PRIVILEGES_SQL);
  await client.unsafe(pipelineSchemaSql(options.variant));
  for (const definition of pipelineFunctionsSql(options.variant)) await client.unsafe(definition);
  // Before any bar: production's data_bars refuses a symbol the registry does not hold.
  await seedRegistry(database);

  log(`Generating ${options.days} days of 1m bars for ${REHEARSAL_SYMBOLS.length} symbols…`);
  // One connection for the whole history: random()'s seed is a session's.
  const generator = await client.reserve();
  let providerBars: number;
  try {
    if (options.seed !== undefined) await generator`select setseed(${options.seed})`;
    providerBars = await generateProviderHistory(generator, {
      from: historyFrom,
      to: historyTo,
      source: providerSource(options.variant),
      symbols: REHEARSAL_SYMBOLS.map((s) => s.symbol),
      log,
    });
  } finally {
    generator.release();
  }

  log('Deriving legacy DXY 1m with calc_dxy_range_derived…');
  const legacyInserted = await deriveLegacyHistory(client, { from: historyFrom, to: historyTo });

  let leftovers: LeftoversSummary | null = null;
  if (options.leftovers) {
    log("Planting production's leftovers (an earlier attempt's rows, holes in the legacy history)…");
    leftovers = await plantLeftovers(client, { variant: options.variant, historyFrom, historyTo });
  }

  log('Aggregating 5m and 1h bars…');
  const fiveMinuteEnd = new Date(Math.floor(historyTo.getTime() / FIVE_MINUTES_MS) * FIVE_MINUTES_MS);
  const hourEnd = new Date(Math.floor(historyTo.getTime() / HOUR_MS) * HOUR_MS);
  const symbols = aggregatedSymbols();
  await client.unsafe(SEED_5M_AGGREGATES_SQL, [historyFrom.toISOString(), fiveMinuteEnd.toISOString(), symbols]);
  await client.unsafe(SEED_1H_AGGREGATES_SQL, [historyFrom.toISOString(), hourEnd.toISOString(), symbols]);

  await seedAggregationCursors(database, { fiveMinuteEnd, hourEnd, now: historyTo });
  await client`analyze public.data_bars`;
  await client`analyze public.derived_data_bars`;

  await insertRehearsalWorld(client, {
    schemaVariant: options.variant,
    days: options.days,
    historyFrom,
    historyTo,
    importReport: null,
  });
  await insertRehearsalWorkers(client, {
    mode: 'legacy',
    paused: false,
    nextMinute: historyTo,
    ingestion: options.ingestion,
  });
  await anchorRehearsalClock(client, { simStart: historyTo, speed: options.speed ?? 1 });
  return {
    variant: options.variant,
    historyFrom,
    historyTo,
    providerBars,
    legacyDxyBars: legacyInserted - (leftovers?.missingLegacyDayMinutes ?? 0),
    leftovers,
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
