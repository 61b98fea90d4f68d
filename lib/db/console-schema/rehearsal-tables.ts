/**
 * The rehearsal world's own state: what world this is, its clock, its simulated workers and their ingestion, and
 * the provider revisions they made. Only a database the console created as a rehearsal world fills them.
 */
import { boolean, doublePrecision, integer, jsonb, serial, text } from 'drizzle-orm/pg-core';
import { cutover, tstz } from './cutover-schema';

/** Present only in a database the console created as a rehearsal world (the reset guard reads it). */
export const rehearsalWorld = cutover.table('rehearsal_world', {
  id: integer('id').primaryKey().default(1),
  schemaVariant: text('schema_variant').notNull().$type<'production' | 'plan'>(),
  days: integer('days').notNull(),
  historyFrom: tstz('history_from').notNull(),
  historyTo: tstz('history_to').notNull(),
  createdAt: tstz('created_at').notNull().defaultNow(),
  /** Set when the world was imported from a pg_dump: what was loaded, skipped and created (rehearsal-import). */
  importReport: jsonb('import_report').$type<Record<string, unknown>>(),
});

/** The rehearsal clock's anchor: simulated time = anchor_sim + (wall − anchor_wall) × speed. */
export const rehearsalClock = cutover.table('rehearsal_clock', {
  id: integer('id').primaryKey().default(1),
  anchorWall: tstz('anchor_wall').notNull(),
  anchorSim: tstz('anchor_sim').notNull(),
  /** The requested speed (REHEARSAL_SPEED); the clock runs slower while the simulated workers lag. */
  speed: doublePrecision('speed').notNull(),
  heartbeatWall: tstz('heartbeat_wall').notNull(),
  /** Simulated time at the last heartbeat (held back when the workers lag): the effective speed's base. */
  heartbeatSim: tstz('heartbeat_sim'),
  /** Simulated seconds per wall second actually achieved recently (a moving average over ~10 s). */
  effectiveSpeed: doublePrecision('effective_speed'),
});

export const WORKER_MODES = ['legacy', 'dual', 'final'] as const;
export type WorkerMode = (typeof WORKER_MODES)[number];

/** The simulated pipeline workers of the rehearsal world. */
export const rehearsalWorkers = cutover.table('rehearsal_workers', {
  id: integer('id').primaryKey().default(1),
  mode: text('mode').notNull().$type<WorkerMode>(),
  paused: boolean('paused').notNull().default(false),
  /** Start of the next minute the tick-factory will produce. */
  nextMinute: tstz('next_minute').notNull(),
  lastTickAt: tstz('last_tick_at'),
  lastError: text('last_error'),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
  /** How the components of a minute land (REHEARSAL_INGESTION): all at once, or each on its own schedule. */
  ingestion: text('ingestion').notNull().default('together').$type<IngestionSchedule>(),
  /** Provider revisions of recent component bars per simulated hour (REHEARSAL_REVISIONS_PER_HOUR). */
  revisionsPerHour: doublePrecision('revisions_per_hour').notNull().default(0),
  /** The uncontrolled second legacy writer's period in minutes (REHEARSAL_SECOND_WRITER_MINUTES); null: off. */
  secondWriterMinutes: integer('second_writer_minutes'),
  /** The end of the window the second writer last derived (a multiple of its period). */
  secondWriterLastAt: tstz('second_writer_last_at'),
});

export const INGESTION_SCHEDULES = ['together', 'staggered'] as const;
export type IngestionSchedule = (typeof INGESTION_SCHEDULES)[number];

/** The simulated tick-factory's progress per provider symbol (staggered ingestion: docs/operations.md). */
export const rehearsalIngestion = cutover.table('rehearsal_ingestion', {
  symbol: text('symbol').primaryKey(),
  /** Start of the next minute this symbol's bar has not been ingested for. */
  nextMinute: tstz('next_minute').notNull(),
  /** Where the symbol's random walk stands (it continues through provider gaps). */
  lastClose: doublePrecision('last_close').notNull(),
  /** Minutes this symbol's bars currently land late. */
  lagMinutes: integer('lag_minutes').notNull().default(0),
  /** Held back by the provider until this simulated time; then its held bars land at once. */
  heldUntil: tstz('held_until'),
});

/** Component bars the simulated provider revised (the tick-factory overwrote them in data_bars). */
export const rehearsalRevisions = cutover.table('rehearsal_revisions', {
  id: serial('id').primaryKey(),
  symbol: text('symbol').notNull(),
  tsUtc: tstz('ts_utc').notNull(),
  oldClose: doublePrecision('old_close').notNull(),
  newClose: doublePrecision('new_close').notNull(),
  /** Simulated time of the tick-factory run that re-fetched it. */
  revisedAt: tstz('revised_at').notNull(),
});
