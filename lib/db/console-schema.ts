/**
 * The console's own state, in schema `cutover` (docs/architecture.md "PostgreSQL"). Separate from the pipeline's
 * tables so it can be dropped once the migration is closed, yet in the same database so that a
 * phase's data change and its recorded result commit in one transaction.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
  uuid,
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
  /** Set when an admin gave a one-time password: the user must choose their own at next sign-in. */
  mustChangePassword: boolean('must_change_password').notNull().default(false),
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
    /** Last signed-in request: the idle timeout counts from here (expires_at is the absolute end). */
    lastSeenAt: tstz('last_seen_at').notNull().defaultNow(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/** Why an API token was revoked: by its owner or an admin, by the owner's password change, by disabling the owner. */
export type ApiTokenRevokedReason = 'by-hand' | 'password-changed' | 'user-disabled';

/** Personal API tokens for the CLI: only the sha-256 is stored; the token carries its owner's roles. */
export const apiTokens = cutover.table(
  'api_tokens',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    /** The first characters of the token, shown in lists so a person can tell their tokens apart. */
    prefix: text('prefix').notNull(),
    createdAt: tstz('created_at').notNull().defaultNow(),
    expiresAt: tstz('expires_at').notNull(),
    lastUsedAt: tstz('last_used_at'),
    revokedAt: tstz('revoked_at'),
    /** Why it was revoked (drizzle/0018_token_hygiene.sql); null on rows revoked before the column existed. */
    revokedReason: text('revoked_reason').$type<ApiTokenRevokedReason>(),
  },
  (t) => [index('api_tokens_user_idx').on(t.userId)],
);

/** An admin's invitation: whoever opens the link once chooses the password of the named user. */
export const userInvitations = cutover.table('user_invitations', {
  id: serial('id').primaryKey(),
  tokenHash: text('token_hash').notNull().unique(),
  username: text('username').notNull(),
  roles: text('roles').array().notNull().$type<Role[]>(),
  createdBy: integer('created_by')
    .notNull()
    .references(() => users.id),
  createdAt: tstz('created_at').notNull().defaultNow(),
  expiresAt: tstz('expires_at').notNull(),
  acceptedAt: tstz('accepted_at'),
  revokedAt: tstz('revoked_at'),
});

/**
 * The sign-in throttle's state per (username, client address), updated atomically with one upsert:
 * failures slow down that pair only, so an attacker elsewhere never locks the real user out.
 */
export const signInThrottle = cutover.table(
  'sign_in_throttle',
  {
    /** Which use of the throttle (lib/auth/sign-in-throttle.ts ThrottleBucket): 'sign-in', 'bearer-token', … */
    bucket: text('bucket').notNull().default('sign-in'),
    username: text('username').notNull(),
    address: text('address').notNull(),
    failures: integer('failures').notNull().default(0),
    lastFailureAt: tstz('last_failure_at'),
    /** No attempt of this pair is checked before this moment. */
    blockedUntil: tstz('blocked_until'),
    /** Attempts refused while blocked: counted here instead of one audit row each. */
    throttledAttempts: integer('throttled_attempts').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.bucket, t.username, t.address] })],
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
    /**
     * The tamper-evident chain, set by lib/auth/audit-append.ts at insert: position, the previous row's hash, this
     * row's (HMAC-SHA256 with a key the database does not hold; docs/operations.md "The audit log").
     */
    chainPosition: bigint('chain_position', { mode: 'number' }),
    prevHash: text('prev_hash'),
    rowHash: text('row_hash'),
  },
  (t) => [
    uniqueIndex('audit_events_chain_position_idx').on(t.chainPosition),
    index('audit_events_at_idx').on(t.at.desc()),
    index('audit_events_action_idx').on(t.action, t.at),
    check('audit_events_outcome_check', sql`${t.outcome} in ('ok','refused','invalid','failed')`),
    // The row cap (drizzle/0015_audit_bounded_refusals.sql, lib/auth/audit-row-cap.ts).
    check(
      'audit_events_row_bytes_check',
      sql`octet_length(coalesce(${t.username}, '')) + octet_length(${t.action}) + octet_length(${t.inputs}::text) + octet_length(${t.detail}::text) <= 16384`,
    ),
    // Every row is chained (drizzle/0017_audit_keyed_chain.sql): a writer around audit-append.ts is refused.
    check('audit_events_chained_check', sql`${t.chainPosition} IS NOT NULL AND ${t.rowHash} IS NOT NULL`),
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

/**
 * One migration run at a time: created by the first phase-1 run, closed by a completed rollback
 * (or by phase 9 with the window issue). Its phase runs are the plan's state.
 */
export const MIGRATION_RUN_STATUSES = ['active', 'rolled_back', 'completed', 'abandoned'] as const;
export type MigrationRunStatus = (typeof MIGRATION_RUN_STATUSES)[number];

export const migrationRuns = cutover.table(
  'migration_runs',
  {
    id: serial('id').primaryKey(),
    status: text('status').notNull().$type<MigrationRunStatus>(),
    startedBy: text('started_by').notNull(),
    startedAt: tstz('started_at').notNull().defaultNow(),
    closedAt: tstz('closed_at'),
  },
  (t) => [uniqueIndex('migration_runs_one_active').on(t.status).where(sql`status = 'active'`)],
);

export const PHASE_RUN_STATUSES = [
  'awaiting-approval',
  'pending',
  'running',
  'paused',
  'succeeded',
  'failed',
  'rejected',
  /** Cancelled by an operator (docs/phases.md "Abort"): the step in flight rolled back, the checkpoint kept. */
  'aborted',
] as const;
export type PhaseRunStatus = (typeof PHASE_RUN_STATUSES)[number];
/** Statuses that hold the single "active run" slot. */
export const ACTIVE_PHASE_RUN_STATUSES: readonly PhaseRunStatus[] = [
  'awaiting-approval',
  'pending',
  'running',
  'paused',
];

export const phaseRuns = cutover.table(
  'phase_runs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** Also the run_id of the ops_runlog row. */
    runUuid: uuid('run_uuid').notNull().defaultRandom(),
    migrationRunId: integer('migration_run_id')
      .notNull()
      .references(() => migrationRuns.id),
    /** '1'…'9', '2-fix' or 'rollback'. */
    phase: text('phase').notNull(),
    status: text('status').notNull().$type<PhaseRunStatus>(),
    options: jsonb('options').notNull().default({}).$type<Record<string, unknown>>(),
    requestedBy: text('requested_by').notNull(),
    requestedAt: tstz('requested_at').notNull().defaultNow(),
    startedAt: tstz('started_at'),
    finishedAt: tstz('finished_at'),
    /** Clock (rehearsal or wall) times, for the 24 h window. */
    clockStartedAt: tstz('clock_started_at'),
    clockFinishedAt: tstz('clock_finished_at'),
    leaseOwner: text('lease_owner'),
    leaseExpiresAt: tstz('lease_expires_at'),
    heartbeatAt: tstz('heartbeat_at'),
    pauseRequested: boolean('pause_requested').notNull().default(false),
    attempt: integer('attempt').notNull().default(1),
    checkpoint: jsonb('checkpoint').notNull().default({}).$type<Record<string, unknown>>(),
    progress: jsonb('progress').notNull().default({}).$type<Record<string, unknown>>(),
    result: jsonb('result').notNull().default({}).$type<Record<string, unknown>>(),
    /** A phase's verification (lib/runbook/types.ts `Verification`; run-state.ts gives the row that type). */
    verification: jsonb('verification').$type<Record<string, unknown>>(),
    error: text('error'),
    opsRunlogId: bigint('ops_runlog_id', { mode: 'number' }),
  },
  (t) => [
    // The database, not memory, guarantees one active phase run at a time.
    uniqueIndex('phase_runs_one_active')
      .on(t.migrationRunId)
      .where(sql`status in ('awaiting-approval', 'pending', 'running', 'paused')`),
    index('phase_runs_run_phase_idx').on(t.migrationRunId, t.phase, t.id),
  ],
);

export const phaseRunEvents = cutover.table(
  'phase_run_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    phaseRunId: bigint('phase_run_id', { mode: 'number' })
      .notNull()
      .references(() => phaseRuns.id),
    at: tstz('at').notNull().defaultNow(),
    level: text('level').notNull().$type<'info' | 'warn' | 'error'>(),
    message: text('message').notNull(),
    data: jsonb('data').notNull().default({}).$type<Record<string, unknown>>(),
  },
  (t) => [index('phase_run_events_run_idx').on(t.phaseRunId, t.id)],
);

/** The in-database backup of phase 1: what was copied where, with counts and checksums. */
export const backups = cutover.table('backups', {
  id: serial('id').primaryKey(),
  migrationRunId: integer('migration_run_id')
    .notNull()
    .references(() => migrationRuns.id),
  phaseRunId: bigint('phase_run_id', { mode: 'number' }).notNull(),
  takenAt: tstz('taken_at').notNull().defaultNow(),
  // The documents' own types are the runbook's (lib/runbook/backup.ts `StoredBackup`).
  tables: jsonb('tables').notNull().$type<Record<string, unknown>[]>(),
  functions: jsonb('functions').notNull().$type<Record<string, unknown>[]>(),
  constraints: jsonb('constraints').notNull().$type<Record<string, unknown>[]>(),
  registryRow: jsonb('registry_row').$type<Record<string, unknown>>(),
  aggState: jsonb('agg_state').notNull().$type<Record<string, unknown>[]>(),
  verified: boolean('verified').notNull(),
  dumpFile: text('dump_file'),
  dumpNote: text('dump_note'),
});

/** 'expired': a pending request older than CUTOVER_APPROVAL_TTL_MINUTES, closed when it is asked again. */
export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'expired'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/** Two-person rule: a request by one user, decided by a different approver. */
export const approvals = cutover.table(
  'approvals',
  {
    id: serial('id').primaryKey(),
    // The phases name their own kinds (a phase's `approval.kind`), beside 'abandon' and 'waiver'.
    kind: text('kind').notNull(),
    phaseRunId: bigint('phase_run_id', { mode: 'number' }).notNull(),
    requestedBy: text('requested_by').notNull(),
    requestedAt: tstz('requested_at').notNull().defaultNow(),
    summary: text('summary').notNull(),
    status: text('status').notNull().$type<ApprovalStatus>(),
    decidedBy: text('decided_by'),
    decidedAt: tstz('decided_at'),
    reason: text('reason'),
    /** Who created the requester's account and last changed it, recorded with the decision (lib/auth/account-origin.ts). */
    requesterAccount: jsonb('requester_account').$type<Record<string, unknown>>(),
    /** The same for the account that decided, recorded with the decision. */
    deciderAccount: jsonb('decider_account').$type<Record<string, unknown>>(),
  },
  (t) => [
    // Abandon requests are a new row each time (one pending at a time); every other kind is one per run.
    uniqueIndex('approvals_one_per_run').on(t.phaseRunId, t.kind).where(sql`kind <> 'abandon'`),
    uniqueIndex('approvals_one_pending_abandon').on(t.phaseRunId).where(sql`kind = 'abandon' and status = 'pending'`),
  ],
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

/** Exactly the legacy rows a migration run soft-deleted, so a rollback restores exactly them. */
export const softDeletedRows = cutover.table(
  'soft_deleted_rows',
  {
    migrationRunId: integer('migration_run_id').notNull(),
    derivedId: bigint('derived_id', { mode: 'number' }).notNull(),
    tsUtc: tstz('ts_utc').notNull(),
    restoredAt: tstz('restored_at'),
  },
  (t) => [primaryKey({ columns: [t.migrationRunId, t.derivedId] })],
);

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

export const VALIDATION_VERDICTS = ['go', 'no-go'] as const;
export type ValidationVerdict = (typeof VALIDATION_VERDICTS)[number];

/** One item of a dry run (lib/runbook/validate): GO, NO-GO, or a FINDING the plan's own steps handle. */
export interface ValidationItem {
  group: 'environment' | 'phase' | 'write-trial';
  name: string;
  status: 'go' | 'no-go' | 'finding';
  reason: string;
  evidence?: unknown;
}

/**
 * Dry runs of the whole plan against the database (docs/phases.md "Validate — before the night"):
 * phase 1 starts only after a GO from the last 24 hours, or an admin's override.
 */
export const validations = cutover.table(
  'validations',
  {
    id: serial('id').primaryKey(),
    requestedBy: text('requested_by').notNull(),
    startedAt: tstz('started_at').notNull(),
    finishedAt: tstz('finished_at').notNull(),
    verdict: text('verdict').notNull().$type<ValidationVerdict>(),
    items: jsonb('items').notNull().$type<ValidationItem[]>(),
    /** current_database, server version, system identifier or address, cluster name. */
    databaseIdentity: jsonb('database_identity').notNull().$type<Record<string, unknown>>(),
  },
  (t) => [index('validations_finished_idx').on(t.finishedAt)],
);

/** An admin's audited override of a missing or NO-GO validation, good for phase 1 starts within 24 hours. */
export const validationOverrides = cutover.table(
  'validation_overrides',
  {
    id: serial('id').primaryKey(),
    overriddenBy: text('overridden_by').notNull(),
    reason: text('reason').notNull(),
    createdAt: tstz('created_at').notNull().defaultNow(),
    /** The latest validation when the override was given (none, or its NO-GO). */
    validationId: integer('validation_id').references(() => validations.id),
  },
  (t) => [index('validation_overrides_created_idx').on(t.createdAt)],
);
