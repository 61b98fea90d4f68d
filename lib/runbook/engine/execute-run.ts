/**
 * The runner's side of a phase run: claim it with a lease (FOR UPDATE SKIP LOCKED), step it
 * while the lease is held and renewed, pause it between steps when asked, then verify and
 * record the outcome. A run whose lease expired — its runner was killed — is claimed again by
 * whichever runner is alive and resumes from its last committed checkpoint.
 */
import { hostname } from 'node:os';
import type { TransactionSql } from 'postgres';
import { redactCredentialsInText } from '../../auth/audit';
import { anchorAuditHeadAtBoundary } from '../../auth/audit-anchor-at-boundary';
import type { Database } from '../../db/connection';
import { closeMigrationRun } from '../../db/tables/migration-runs';
import { insertPhaseRunEvent } from '../../db/tables/phase-run-events';
import type { Clock } from '../../market/clock';
import { WorkerCommandFailed } from '../worker-control/captured-output';
import { selectWorkerControl } from '../worker-control/select-worker-control';
import { abortHeldRun, abortRequestOf, QUERY_CANCELED, RunAborted } from './abort-run';
import { type AbortWatch, watchStepForAbort } from './abort-watch';
import { approvedRunProblems } from './approved-run-check';
import type { RunbookConfig } from './config';
import { appendOpsRunlogEvent, closeOpsRunlog, openOpsRunlog, updateOpsRunlogCheckpoint } from './ops-runlog';
import type { PhaseRegistry } from './phase-registry';
import { forgetPreviewedStatements, type PreviewedStatements, previewedStatementsOf } from './previewed-statements';
import {
  claimNextPhaseRun,
  clearPhaseRunWaiting,
  commitPhaseRunStep,
  finishHeldPhaseRun,
  markPhaseRunStarted,
  markPhaseRunWaiting,
  pauseHeldPhaseRun,
  renewPhaseRunLease,
} from './run-lease';
import { asPhaseRunRow, getPhaseRun, type PhaseRunRow } from './run-state';
import { isTransientDatabaseError } from './transient-errors';
import type { PhaseContext, PhaseDefinition } from './types';
import type { Verification } from './verification';

export class LeaseLost extends Error {
  constructor(runId: number) {
    super(`Lease on phase run #${runId} was lost to another runner; stopping here.`);
  }
}

export function newRunnerId(): string {
  return `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
}

export interface ClaimedRun {
  run: PhaseRunRow;
  /** The runner that held the lease before (set when a dead runner's run is taken over). */
  previousOwner: string | null;
}

/**
 * Claims the oldest runnable phase run: a pending one, one this runner already holds, or one
 * whose lease expired (its runner died).
 */
export async function claimNextRun(
  database: Database,
  params: { owner: string; leaseSeconds: number },
): Promise<ClaimedRun | null> {
  const claimed = await claimNextPhaseRun(database.sql, params);
  if (!claimed) return null;
  return { run: asPhaseRunRow(claimed.run), previousOwner: claimed.previousOwner };
}

/**
 * 'busy': the step budget ran out with work left (step again right away); 'waiting': the phase
 * waits for time to pass; 'retrying': the database went away mid-step (the step rolled back;
 * the next tick resumes from the last checkpoint).
 */
export type AdvanceOutcome = 'finished' | 'waiting' | 'busy' | 'retrying' | 'paused' | 'lost' | 'aborted';

export async function advanceRun(
  database: Database,
  params: {
    run: PhaseRunRow;
    previousOwner: string | null;
    owner: string;
    clock: Clock;
    config: RunbookConfig;
    budgetMs?: number;
    /** The phases it knows, handed in: the runbook's, or a test's own (lib/runbook/engine/phase-registry.test.ts). */
    registry: PhaseRegistry<PhaseDefinition>;
  },
): Promise<AdvanceOutcome> {
  const { sql } = database;
  const { owner, clock, config } = params;
  let run = params.run;
  const phase = params.registry.find(run.phase);
  const deadline = Date.now() + (params.budgetMs ?? config.stepBudgetMs);

  const renewLease = async () => {
    const renewed = await renewPhaseRunLease(sql, { id: run.id, owner, leaseSeconds: config.leaseSeconds });
    if (!renewed) throw new LeaseLost(run.id);
  };
  // Long single steps (a backup, a deploy command) must not let the lease lapse. One renewal at a time: a snapshot
  // step holds its run's row (holdRunForSnapshot) and makes a renewal wait for its commit, which renews the lease
  // itself; renewals piling up behind it would each hold a pooled connection.
  let renewing = false;
  const heartbeat = setInterval(
    () => {
      if (renewing) return;
      renewing = true;
      renewLease()
        .catch(() => {})
        .finally(() => {
          renewing = false;
        });
    },
    (config.leaseSeconds * 1000) / 3,
  );

  const log: PhaseContext['log'] = async (message, data = {}, level = 'info') => {
    await insertPhaseRunEvent(sql, { phaseRunId: run.id, level, message, data });
    await appendOpsRunlogEvent(sql, {
      id: run.opsRunlogId,
      at: clock.now(),
      checkpoint: level,
      details: { message, ...data },
    });
  };

  // Ends the run as aborted once its step (if any) has rolled back; 'lost' when it was not this runner's to end.
  const endAborted = async (inFlight: string): Promise<AdvanceOutcome> => {
    forgetPreviewedStatements(database, run.id);
    const label = params.registry.label(run.phase);
    const ended = await abortHeldRun(sql, { runId: run.id, owner, label, clockNow: clock.now(), inFlight });
    if (ended)
      await anchorAuditHeadAtBoundary(database, {
        phaseRunId: run.id,
        reason: `phase run #${run.id} (${run.phase}) aborted`,
      });
    return ended ? 'aborted' : 'lost';
  };

  try {
    if (!run.clockStartedAt) {
      // An approved run executes only as approved, with this runner's settings, and in time.
      const problems = await approvedRunProblems({ database, clock, config, phase }, run, 'claim');
      if (problems.length > 0) throw new Error(`Refused to execute run #${run.id}: ${problems.join('; ')}.`);
      const startedAt = clock.now();
      const opsRunlogId = await openOpsRunlog(sql, { run, startedAt });
      await markPhaseRunStarted(sql, { id: run.id, owner, clockStartedAt: startedAt, opsRunlogId });
      run = { ...run, clockStartedAt: startedAt, opsRunlogId };
      await log(`Started by ${run.requestedBy} (attempt ${run.attempt}) on runner ${owner}`, {
        options: run.options,
        runner: owner,
      });
      // A phase boundary: the audit chain's head goes outside the database (docs/operations.md "The audit log").
      await anchorAuditHeadAtBoundary(database, {
        phaseRunId: run.id,
        reason: `phase run #${run.id} (${run.phase}) started`,
      });
    } else if (params.previousOwner && params.previousOwner !== owner) {
      await log(
        `Taken over from runner ${params.previousOwner}, whose lease expired; resuming from the last committed checkpoint`,
        { checkpoint: run.checkpoint, runner: owner },
        'warn',
      );
    }

    // Before any step: the statements this run may write with are its preview's, fixed now, and
    // never computed inside a step's transaction (phase 5's preview tries its replacement in one of its own).
    const previewed: PreviewedStatements = await previewedStatementsOf({ database, clock, config, phase, run });
    const ctx: PhaseContext = {
      database,
      sql,
      clock,
      config,
      workers: await selectWorkerControl(sql, clock),
      get run() {
        return run;
      },
      log,
      // Only what the run's preview lists is executed (docs/phases.md "Statements and stages").
      exec: (tx, statement) => previewed.execute(tx, statement),
      async commitStep(work, update, options = {}) {
        // A snapshot step that lost the race for its run's row before doing anything starts again at once.
        for (let attempt = 1; ; attempt++) {
          try {
            return await stepOnce();
          } catch (error) {
            if (!(error instanceof SnapshotRaced) || attempt >= SNAPSHOT_RACE_ATTEMPTS) throw error;
          }
        }

        function stepOnce() {
          // An abort request cancels the step's statement in flight (./abort-watch.ts); the step rolls back whole.
          let watch: AbortWatch | null = null;
          return sql
            .begin(async (tx) => {
              watch = await watchStepForAbort(sql, tx, { runId: run.id });
              if (options.snapshot) await holdRunForSnapshot(tx, run.id);
              const value = await work(tx);
              const changes = update(value);
              const committed = await commitPhaseRunStep(tx, {
                id: run.id,
                owner,
                leaseSeconds: config.leaseSeconds,
                checkpoint: changes.checkpoint,
                progress: changes.progress,
                result: changes.result,
              });
              if (!committed)
                throw abortRequestOf((await getPhaseRun(tx, { id: run.id })) ?? run)
                  ? new RunAborted(run.id)
                  : new LeaseLost(run.id);
              if (changes.checkpoint)
                await updateOpsRunlogCheckpoint(tx, { id: run.opsRunlogId, checkpoint: changes.checkpoint });
              run = asPhaseRunRow(committed);
              return value;
            })
            .catch((error: unknown) => {
              const cancelled =
                (watch as AbortWatch | null)?.cancelled && (error as { code?: unknown }).code === QUERY_CANCELED;
              throw cancelled ? new RunAborted(run.id) : error;
            })
            .finally(() => (watch as AbortWatch | null)?.stop()) as Promise<never>;
        }
      },
    };

    // From here the run steps again: not waiting any more, unless an action ended it while it waited.
    if (!(await clearPhaseRunWaiting(sql, { id: run.id, owner }))) return 'lost';
    while (true) {
      const fresh = await getPhaseRun(sql, { id: run.id });
      if (!fresh || fresh.leaseOwner !== owner || fresh.status !== 'running') return 'lost';
      run = fresh;
      if (abortRequestOf(run)) return endAborted('No step was in flight: it stopped between steps.');
      if (run.pauseRequested && phase.pausable) {
        await pauseHeldPhaseRun(sql, { id: run.id, owner });
        await log('Paused between batches at the operator’s request', { checkpoint: run.checkpoint });
        return 'paused';
      }
      const outcome = await phase.execute(ctx);
      if (outcome.state === 'done') break;
      if (outcome.state === 'wait') {
        await renewLease();
        // Until it is stepped again the run does nothing: an action may end it at once (./abort-run.ts).
        await markPhaseRunWaiting(sql, { id: run.id, owner, reason: outcome.reason });
        return 'waiting';
      }
      if (Date.now() > deadline) {
        await renewLease();
        return 'busy';
      }
    }

    const verification = await phase.verify(ctx);
    try {
      await finishRun(database, { run, phase, owner, clock, verification, error: null });
    } catch (finishError) {
      if (!(finishError instanceof RunAborted)) throw finishError;
      return endAborted(
        `No step was in flight: every step had committed and the verification ${verification.passed ? 'passed' : 'failed'}, but the abort was asked before the outcome was recorded.`,
      );
    }
    return 'finished';
  } catch (error) {
    if (error instanceof LeaseLost) return 'lost';
    if (error instanceof RunAborted) return endAborted('The step in flight was interrupted and rolled back.');
    // A step that failed while an abort was pending (e.g. its statement cancelled) ends as asked.
    if (
      await getPhaseRun(sql, { id: run.id }).then(
        (r) => r && abortRequestOf(r),
        () => null,
      )
    )
      return endAborted(
        `The step in flight ended with an error and rolled back: ${redactCredentialsInText(error instanceof Error ? error.message : String(error))}`,
      );
    if (isTransientDatabaseError(error)) {
      const reason = redactCredentialsInText(error instanceof Error ? error.message : String(error));
      await log(
        `Database unavailable (${reason}); the step rolled back and is retried from the last checkpoint`,
        {},
        'warn',
      ).catch(() => {});
      return 'retrying';
    }
    const message = redactCredentialsInText(error instanceof Error ? error.message : String(error));
    // A failed worker command: its summary (with the runner-log reference admins open), never its text.
    const data = error instanceof WorkerCommandFailed ? { output: error.summary } : {};
    await log(`Failed: ${message}`, data, 'error').catch(() => {});
    try {
      await finishRun(database, { run, phase, owner, clock, verification: null, error: message });
    } catch (finishError) {
      if (finishError instanceof LeaseLost) return 'lost';
      if (finishError instanceof RunAborted) return endAborted(`The step in flight failed and rolled back: ${message}`);
      throw finishError;
    }
    return 'finished';
  } finally {
    clearInterval(heartbeat);
  }
}

/**
 * A snapshot step (PhaseContext.commitStep): REPEATABLE READ, and the run's row locked by the snapshot's
 * first read. FOR NO KEY UPDATE, not FOR UPDATE: the run's log lines, written from other connections
 * while the step runs, reference the row (a foreign key's KEY SHARE lock). Without the lock, a step longer
 * than the heartbeat's interval (phase 1's backup, 25 s at ten years of history) failed its commit with
 * "could not serialize access due to concurrent update" and was retried from the start, for ever.
 */
async function holdRunForSnapshot(tx: TransactionSql, runId: number): Promise<void> {
  await tx`set transaction isolation level repeatable read`;
  try {
    await tx`select id from cutover.phase_runs where id = ${runId} for no key update`;
  } catch (error) {
    // The snapshot is taken as this read starts; a lease renewal that commits while the read waits for the
    // row is newer than it, and the read fails. Nothing was done yet: commitStep starts the step again.
    if ((error as { code?: unknown }).code === SERIALIZATION_FAILURE) throw new SnapshotRaced(runId);
    throw error;
  }
}

const SERIALIZATION_FAILURE = '40001';
/** How often a snapshot step may lose that race in a row before its failure is treated as any other's. */
const SNAPSHOT_RACE_ATTEMPTS = 5;

class SnapshotRaced extends Error {
  constructor(runId: number) {
    super(`run #${runId}'s snapshot step lost the race for its row to a lease renewal`);
  }
}

async function finishRun(
  database: Database,
  params: {
    run: PhaseRunRow;
    phase: PhaseDefinition;
    owner: string;
    clock: Clock;
    verification: Verification | null;
    error: string | null;
  },
): Promise<void> {
  const { run, phase, verification, error } = params;
  forgetPreviewedStatements(database, run.id);
  const succeeded = !error && Boolean(verification?.passed);
  const finishedAt = params.clock.now();
  await database.sql.begin(async (tx) => {
    const finished = await finishHeldPhaseRun(tx, {
      id: run.id,
      owner: params.owner,
      status: succeeded ? 'succeeded' : 'failed',
      clockFinishedAt: finishedAt,
      verification,
      error,
    });
    // An abort requested before this write wins over the outcome (docs/phases.md "Abort").
    if (!finished)
      throw abortRequestOf((await getPhaseRun(tx, { id: run.id })) ?? run)
        ? new RunAborted(run.id)
        : new LeaseLost(run.id);
    await closeOpsRunlog(tx, {
      id: run.opsRunlogId,
      finishedAt,
      succeeded,
      stats: { verification_passed: verification?.passed ?? false, error, progress: run.progress },
    });
    const summary = succeeded
      ? 'Verification passed'
      : error
        ? 'Failed before verification'
        : `Verification failed: ${verification?.checks
            .filter((c) => !c.passed)
            .map((c) => c.name)
            .join(', ')}`;
    await insertPhaseRunEvent(tx, { phaseRunId: run.id, level: succeeded ? 'info' : 'error', message: summary });
  });
  if (succeeded && phase.closesMigrationRun) {
    await closeMigrationRun(database.sql, { id: run.migrationRunId, status: 'rolled_back' });
  }
  await anchorAuditHeadAtBoundary(database, {
    phaseRunId: run.id,
    reason: `phase run #${run.id} (${run.phase}) ${succeeded ? 'succeeded' : 'failed'}`,
  });
}
