/**
 * The migration's state: the migration run, its phase runs and their events, phase 1's backup, the two-person
 * approvals, and the legacy rows phase 9 soft-deleted (so a rollback restores exactly them).
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  primaryKey,
  serial,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { cutover, tstz } from './cutover-schema';

/**
 * One migration run at a time: created by the first phase-1 run, closed by a completed rollback
 * (`rolled_back`) or an approved abandon (`abandoned`). Phase 9 leaves it active: its rollback,
 * which restores exactly the rows phase 9 soft-deleted, must stay possible (docs/phases.md "What
 * every phase has in common"). Its phase runs are the plan's state. The statuses are CHECKed in the
 * database (drizzle/0020_run_states.sql), like the phase runs' and the approvals'.
 */
export const MIGRATION_RUN_STATUSES = ['active', 'rolled_back', 'abandoned'] as const;
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
    /** A phase's verification (lib/runbook/engine/types.ts `Verification`; run-state.ts gives the row that type). */
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
  // The documents' own types are the runbook's (lib/runbook/phases/shared/backup.ts `StoredBackup`).
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
    // The phases name their own kinds (a phase's `approval.kind`), beside 'abandon' (lib/runbook/phases/index.ts `ApprovalKind`).
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

/** Exactly the legacy rows a migration run soft-deleted, so a rollback restores exactly them. */
export const softDeletedRows = cutover.table(
  'soft_deleted_rows',
  {
    migrationRunId: integer('migration_run_id').notNull(),
    derivedId: bigint('derived_id', { mode: 'number' }).notNull(),
    tsUtc: tstz('ts_utc').notNull(),
    restoredAt: tstz('restored_at'),
    // The row's values when it was soft-deleted: the rollback's restore checks them (migration 0022; null before it).
    open: doublePrecision('open'),
    high: doublePrecision('high'),
    low: doublePrecision('low'),
    close: doublePrecision('close'),
  },
  (t) => [primaryKey({ columns: [t.migrationRunId, t.derivedId] })],
);
