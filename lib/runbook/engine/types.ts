/**
 * The shape of a phase (docs/phases.md): a plain object with its preconditions, the exact SQL it
 * will run, an `execute` step the runner calls until it reports done (one short, committed step
 * at a time, so a killed process resumes from the last checkpoint), and a verification that can
 * fail, stored with its evidence.
 */
import type { Sql, TransactionSql } from 'postgres';
import type { z } from 'zod';
import type { Database, SqlOrTx } from '../../db/connection';
import type { Clock } from '../../market/clock';
import type { WorkerControl } from '../worker-control/worker-control';
import type { RunbookConfig } from './config';
import type { PhaseIdentity } from './phase-registry';
import type { PhaseRunRow } from './run-state';
import type { BoundStatement, PlannedStatement } from './statements';
import type { Check, Verification } from './verification';

export interface Preview {
  /** What the phase will do, in order, in plain words. */
  summary: string[];
  /**
   * The exact text of every statement it writes with, in order ($1…$n bound while running): what an
   * approval is bound to and what the runner may execute (./statements.ts).
   */
  sql: string[];
  /** The same statements with their stage and what each parameter is (phases built on ./statements.ts). */
  statements?: PlannedStatement[];
  /** The first stage whose effect a failure cannot undo by rolling back (the phase's declaration). */
  pointOfNoReturn?: string;
  /** Row estimates and other numbers known before running. */
  estimates: Record<string, number | string>;
  /** A unified diff of a definition the phase replaces (phase 5's aggregator), for the approver. */
  diff?: { title: string; text: string };
}

export type StepOutcome =
  /** More work: call again at once. */
  | { state: 'continue' }
  /** Waiting for the world (e.g. new bars after a deployment): call again on a later tick. */
  | { state: 'wait'; reason: string }
  /** Done: run verify() next. */
  | { state: 'done' };

export interface PhaseContext {
  database: Database;
  sql: Sql;
  clock: Clock;
  config: RunbookConfig;
  workers: WorkerControl;
  run: PhaseRunRow;
  /** Appends an event to the run's log (and to its ops_runlog row). */
  log(message: string, data?: Record<string, unknown>, level?: 'info' | 'warn' | 'error'): Promise<void>;
  /**
   * Runs `work` in a transaction that also stores the new checkpoint/progress/result, and only
   * while this runner still holds the lease: a step's data and its checkpoint commit together.
   */
  /**
   * Executes one of the run's previewed statements in `tx` (refused when its text is not in the
   * run's preview) and records in the run's log that it ran.
   */
  exec<T extends object = Record<string, unknown>>(
    tx: SqlOrTx,
    statement: BoundStatement,
  ): Promise<{ rows: T[]; count: number }>;
  commitStep<T>(
    work: (tx: TransactionSql) => Promise<T>,
    update: (value: T) => {
      checkpoint?: Record<string, unknown>;
      progress?: Record<string, unknown>;
      result?: Record<string, unknown>;
    },
    /**
     * `snapshot`: `work` reads one REPEATABLE READ snapshot (phase 1's backup). The step then holds its
     * run's row from its first read, so the heartbeat's lease renewals wait for its commit (which renews
     * the lease) instead of changing the row under the snapshot, which would fail that commit.
     */
    options?: { snapshot?: boolean },
  ): Promise<T>;
}

export interface PreconditionContext {
  database: Database;
  clock: Clock;
  config: RunbookConfig;
  migrationRunId: number | null;
}

/**
 * A phase the runner executes: its identity (./phase-registry.ts, declared in its identity file)
 * and what it does.
 */
/** What the start action knows when a phase's run is requested (after its preconditions passed). */
export interface StartContext extends PreconditionContext {
  migrationRunId: number;
  /** The phase's earlier attempts in this migration run, newest first. */
  attempts: readonly { id: number; status: string; checkpoint: Record<string, unknown> }[];
  /** The options of the request, validated by the phase's declaration (Reconcile refuses a range here). */
  options: Readonly<Record<string, unknown>>;
}

/** What a phase adds to its run when it is requested. */
export interface StartAdditions {
  /** Stored in the run's options (phase 9's final proof, for the approver). */
  options?: Record<string, unknown>;
  /** The run's first checkpoint (phase 4's retry continues from the failed attempt's). */
  checkpoint?: Record<string, unknown>;
  /** Appended to the approval request's summary. */
  approvalNote?: string;
}

/** What a phase records when an approver approves a run of it. */
export interface ApprovalAdditions {
  /** Merged into the run's options (phase 9: the waiver). */
  options?: Record<string, unknown>;
  /** Stored as the approval's reason. */
  reason?: string;
}

export interface PhaseDefinition<Id extends string = string, Kind extends string = string>
  extends PhaseIdentity<Id, Kind> {
  description: string;
  /**
   * What its runs' checkpoints hold, checked before every step (./define-phase.ts). Loose objects:
   * fields a later version adds are kept, a field of the wrong type stops the run.
   */
  checkpoint: z.ZodType;
  preconditions(ctx: PreconditionContext): Promise<Check[]>;
  /** Called by the start action inside its transaction; most phases add nothing. */
  onStart?(ctx: StartContext): Promise<StartAdditions>;
  /**
   * Called by the approve action once the re-checks passed; may refuse (ActionRefused) with what
   * the approver must do instead. `waiveCount` is what the approver typed to waive listed differences.
   */
  onApprove?(ctx: { run: PhaseRunRow; approver: string; waiveCount: number | undefined }): Promise<ApprovalAdditions>;
  /**
   * What a started run of it may have changed that only a rollback undoes (phase 7's deployment,
   * phase 9's soft-delete): such a migration run cannot be abandoned (./migration-changes.ts).
   */
  changesWhenStarted?: string;
  preview(ctx: PreconditionContext & { options: Record<string, unknown> }): Promise<Preview>;
  execute(ctx: PhaseContext): Promise<StepOutcome>;
  verify(ctx: PhaseContext): Promise<Verification>;
}
