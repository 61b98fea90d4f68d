/**
 * What the 24-hour window records and sends: phase 8's hourly snapshots and the alert outbox.
 */
import { sql } from 'drizzle-orm';
import { bigserial, boolean, index, integer, jsonb, serial, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { cutover, tstz } from './cutover-schema';
import { migrationRuns } from './run-tables';

export type SnapshotVerdict = 'PASS' | 'WARN' | 'FAIL';

/** One check of an hourly snapshot (computed in lib/monitor/hourly-checks.ts), as the snapshot stores it. */
export interface SnapshotCheck {
  key: 'freshness' | 'bars_1m' | 'bars_5m' | 'bar_1h' | 'parity' | 'worker_errors';
  name: string;
  value: number;
  /** Shown beside the value; `warnAt`/`failAt` are drawn as reference lines. */
  threshold: string;
  warnAt: number | null;
  failAt: number | null;
  verdict: SnapshotVerdict;
  detail: string;
}

/**
 * Phase 8's hourly snapshots: one per clock hour of the 24-hour window, never skipped — an hour
 * the runner missed is taken as soon as it can be and marked late.
 */
export const monitorSnapshots = cutover.table(
  'monitor_snapshots',
  {
    id: serial('id').primaryKey(),
    migrationRunId: integer('migration_run_id')
      .notNull()
      .references(() => migrationRuns.id),
    hourIndex: integer('hour_index').notNull(),
    hourStart: tstz('hour_start').notNull(),
    takenAt: tstz('taken_at').notNull(),
    late: boolean('late').notNull(),
    verdict: text('verdict').notNull().$type<SnapshotVerdict>(),
    checks: jsonb('checks').notNull().$type<SnapshotCheck[]>(),
    alertedAt: tstz('alerted_at'),
    waivedBy: text('waived_by'),
    waiverReason: text('waiver_reason'),
    /** Null while the hour is provisional (late data may still change it); set once, then never changed. */
    settledAt: tstz('settled_at'),
    /** How many times the hour's checks were computed (1 when settled at once). */
    evaluations: integer('evaluations').notNull().default(1),
    /** When the checks were last computed. */
    evaluatedAt: tstz('evaluated_at'),
    /** The data frontier (every component reported up to here) at the last evaluation. */
    dataThrough: tstz('data_through'),
  },
  (t) => [uniqueIndex('monitor_snapshots_hour').on(t.migrationRunId, t.hourStart)],
);

/**
 * Alerts to post (the webhook outbox): written in the transaction that decides the alert, posted
 * by the runner after commit, with retries and backoff, never inside a transaction.
 */
export const alertOutbox = cutover.table(
  'alert_outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** One alert per cause (e.g. `snapshot:42`), however often it is enqueued. */
    dedupeKey: text('dedupe_key').notNull().unique(),
    payload: jsonb('payload').notNull().$type<Record<string, unknown>>(),
    createdAt: tstz('created_at').notNull().defaultNow(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: tstz('next_attempt_at').notNull().defaultNow(),
    deliveredAt: tstz('delivered_at'),
    lastError: text('last_error'),
  },
  (t) => [index('alert_outbox_due_idx').on(t.nextAttemptAt).where(sql`delivered_at is null`)],
);
