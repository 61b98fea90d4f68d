/**
 * The console's own state, in schema `cutover` (DESIGN §3.1). Separate from the pipeline's
 * tables so it can be dropped once the migration is closed, yet in the same database so that a
 * phase's data change and its recorded result commit in one transaction.
 */
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgSchema,
  serial,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

export const cutover = pgSchema('cutover');

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const ROLES = ['viewer', 'operator', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const users = cutover.table('users', {
  id: serial('id').primaryKey(),
  username: text('username').notNull().unique(),
  passwordHash: text('password_hash').notNull(),
  roles: text('roles').array().notNull().$type<Role[]>(),
  createdAt: tstz('created_at').notNull().defaultNow(),
  disabledAt: tstz('disabled_at'),
});

export const sessions = cutover.table(
  'sessions',
  {
    /** sha-256 of the cookie token: a leaked table does not leak usable sessions. */
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    createdAt: tstz('created_at').notNull().defaultNow(),
    expiresAt: tstz('expires_at').notNull(),
    revokedAt: tstz('revoked_at'),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/** Sign-in attempts, kept in the database so the throttle holds across instances. */
export const loginAttempts = cutover.table(
  'login_attempts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    username: text('username').notNull(),
    ip: text('ip').notNull(),
    succeeded: boolean('succeeded').notNull(),
    at: tstz('at').notNull().defaultNow(),
  },
  (t) => [index('login_attempts_username_idx').on(t.username, t.at), index('login_attempts_ip_idx').on(t.ip, t.at)],
);

export const AUDIT_OUTCOMES = ['ok', 'refused', 'invalid', 'failed'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export const auditEvents = cutover.table(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: tstz('at').notNull().defaultNow(),
    userId: integer('user_id'),
    username: text('username'),
    action: text('action').notNull(),
    outcome: text('outcome').notNull().$type<AuditOutcome>(),
    inputs: jsonb('inputs').notNull().default({}),
    detail: jsonb('detail').notNull().default({}),
  },
  (t) => [
    index('audit_events_at_idx').on(t.at.desc()),
    index('audit_events_action_idx').on(t.action, t.at),
    check('audit_events_outcome_check', sql`${t.outcome} in ('ok','refused','invalid','failed')`),
  ],
);

/** Present only in a database the console created as a rehearsal world (the reset guard reads it). */
export const rehearsalWorld = cutover.table('rehearsal_world', {
  id: integer('id').primaryKey().default(1),
  schemaVariant: text('schema_variant').notNull().$type<'production' | 'plan'>(),
  days: integer('days').notNull(),
  historyFrom: tstz('history_from').notNull(),
  historyTo: tstz('history_to').notNull(),
  createdAt: tstz('created_at').notNull().defaultNow(),
});

/** The rehearsal clock's anchor: simulated time = anchor_sim + (wall − anchor_wall) × speed. */
export const rehearsalClock = cutover.table('rehearsal_clock', {
  id: integer('id').primaryKey().default(1),
  anchorWall: tstz('anchor_wall').notNull(),
  anchorSim: tstz('anchor_sim').notNull(),
  speed: doublePrecision('speed').notNull(),
  heartbeatWall: tstz('heartbeat_wall').notNull(),
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
});
