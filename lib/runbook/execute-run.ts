/**
 * The runner's side of a phase run: claim it with a lease (FOR UPDATE SKIP LOCKED), step it
 * while the lease is held and renewed, pause it between steps when asked, then verify and
 * record the outcome. A run whose lease expired — its runner was killed — is claimed again by
 * whichever runner is alive and resumes from its last committed checkpoint.
 */
import { hostname } from 'node:os';
import { redactCredentialsInText } from '../auth/audit';
import type { Database } from '../db/connection';
import { phaseRuns } from '../db/console-schema';
import { closeMigrationRun } from '../db/tables/migration-runs';
import { insertPhaseRunEvent } from '../db/tables/phase-run-events';
import { phaseRunOf } from '../db/tables/phase-runs';
import { columnsOf } from '../db/tables/rows';
import { toJsonValue } from '../json';
import type { Clock } from '../market/clock';
import { approvedRunProblems } from './approved-run-check';
import type { RunbookConfig } from './config';
import { appendOpsRunlogEvent, closeOpsRunlog, openOpsRunlog, updateOpsRunlogCheckpoint } from './ops-runlog';
import type { PhaseRegistry } from './phase-registry';
import { PHASES } from './phases';
import { asPhaseRunRow, getPhaseRun, type PhaseRunRow } from './run-state';
import { isTransientDatabaseError } from './transient-errors';
import type { PhaseContext, PhaseDefinition, Verification } from './types';
import { selectWorkerControl } from './worker-control/select-worker-control';

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
  const [row] = await database.sql`
    with target as (
      select id as target_id, lease_owner as previous_owner from cutover.phase_runs
       where status = 'pending'
          or (status = 'running' and (lease_owner = ${params.owner} or lease_expires_at is null or lease_expires_at < now()))
       order by id
       limit 1
       for update skip locked)
    update cutover.phase_runs p
       set status = 'running', lease_owner = ${params.owner},
           lease_expires_at = now() + make_interval(secs => ${params.leaseSeconds}),
           heartbeat_at = now(), started_at = coalesce(started_at, now())
      from target
     where p.id = target.target_id
    returning ${columnsOf(database.sql, phaseRuns)}, target.previous_owner`;
  if (!row) return null;
  return { run: asPhaseRunRow(phaseRunOf(row)), previousOwner: row.previous_owner ?? null };
}

/**
 * 'busy': the step budget ran out with work left (step again right away); 'waiting': the phase
 * waits for time to pass; 'retrying': the database went away mid-step (the step rolled back;
 * the next tick resumes from the last checkpoint).
 */
export type AdvanceOutcome = 'finished' | 'waiting' | 'busy' | 'retrying' | 'paused' | 'lost';

export async function advanceRun(
  database: Database,
  params: {
    run: PhaseRunRow;
    previousOwner: string | null;
    owner: string;
    clock: Clock;
    config: RunbookConfig;
    budgetMs?: number;
    /** The phases it knows: the runbook's, or a test's own (lib/runbook/phase-registry.test.ts). */
    phases?: PhaseRegistry<PhaseDefinition>;
  },
): Promise<AdvanceOutcome> {
  const { sql } = database;
  const { owner, clock, config } = params;
  let run = params.run;
  const phase = (params.phases ?? PHASES).find(run.phase);
  const deadline = Date.now() + (params.budgetMs ?? config.stepBudgetMs);

  const renewLease = async () => {
    const rows = await sql`
      update cutover.phase_runs
         set lease_expires_at = now() + make_interval(secs => ${config.leaseSeconds}), heartbeat_at = now()
       where id = ${run.id} and lease_owner = ${owner} and status = 'running'
      returning id`;
    if (rows.length === 0) throw new LeaseLost(run.id);
  };
  // Long single steps (a backup, a deploy command) must not let the lease lapse.
  const heartbeat = setInterval(
    () => {
      renewLease().catch(() => {});
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

  try {
    if (!run.clockStartedAt) {
      // An approved run executes only as approved, with this runner's settings, and in time.
      const problems = await approvedRunProblems({ database, clock, config, phase }, run, 'claim');
      if (problems.length > 0) throw new Error(`Refused to execute run #${run.id}: ${problems.join('; ')}.`);
      const startedAt = clock.now();
      const opsRunlogId = await openOpsRunlog(sql, { run, startedAt });
      await sql`update cutover.phase_runs set clock_started_at = ${startedAt}, ops_runlog_id = ${opsRunlogId}
                 where id = ${run.id} and lease_owner = ${owner}`;
      run = { ...run, clockStartedAt: startedAt, opsRunlogId };
      await log(`Started by ${run.requestedBy} (attempt ${run.attempt}) on runner ${owner}`, {
        options: run.options,
        runner: owner,
      });
    } else if (params.previousOwner && params.previousOwner !== owner) {
      await log(
        `Taken over from runner ${params.previousOwner}, whose lease expired; resuming from the last committed checkpoint`,
        { checkpoint: run.checkpoint, runner: owner },
        'warn',
      );
    }

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
      async commitStep(work, update) {
        return sql.begin(async (tx) => {
          const value = await work(tx);
          const changes = update(value);
          const [row] = await tx`
            update cutover.phase_runs
               set checkpoint = coalesce(${changes.checkpoint ? tx.json(toJsonValue(changes.checkpoint)) : null}::jsonb, checkpoint),
                   progress = coalesce(${changes.progress ? tx.json(toJsonValue(changes.progress)) : null}::jsonb, progress),
                   result = coalesce(${changes.result ? tx.json(toJsonValue(changes.result)) : null}::jsonb, result),
                   heartbeat_at = now(), lease_expires_at = now() + make_interval(secs => ${config.leaseSeconds})
             where id = ${run.id} and lease_owner = ${owner} and status = 'running'
            returning ${columnsOf(tx, phaseRuns)}`;
          if (!row) throw new LeaseLost(run.id);
          if (changes.checkpoint)
            await updateOpsRunlogCheckpoint(tx, { id: run.opsRunlogId, checkpoint: changes.checkpoint });
          run = asPhaseRunRow(phaseRunOf(row));
          return value;
        }) as Promise<never>;
      },
    };

    while (true) {
      const fresh = await getPhaseRun(sql, { id: run.id });
      if (!fresh || fresh.leaseOwner !== owner || fresh.status !== 'running') return 'lost';
      run = fresh;
      if (run.pauseRequested && phase.pausable) {
        await sql`update cutover.phase_runs set status = 'paused', pause_requested = false, lease_owner = null,
                         lease_expires_at = null where id = ${run.id} and lease_owner = ${owner}`;
        await log('Paused between batches at the operator’s request', { checkpoint: run.checkpoint });
        return 'paused';
      }
      const outcome = await phase.execute(ctx);
      if (outcome.state === 'done') break;
      if (outcome.state === 'wait') {
        await renewLease();
        return 'waiting';
      }
      if (Date.now() > deadline) {
        await renewLease();
        return 'busy';
      }
    }

    const verification = await phase.verify(ctx);
    await finishRun(database, { run, phase, owner, clock, verification, error: null });
    return 'finished';
  } catch (error) {
    if (error instanceof LeaseLost) return 'lost';
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
    await log(`Failed: ${message}`, {}, 'error').catch(() => {});
    await finishRun(database, { run, phase, owner, clock, verification: null, error: message });
    return 'finished';
  } finally {
    clearInterval(heartbeat);
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
  const succeeded = !error && Boolean(verification?.passed);
  const finishedAt = params.clock.now();
  await database.sql.begin(async (tx) => {
    await tx`update cutover.phase_runs
                set status = ${succeeded ? 'succeeded' : 'failed'}, finished_at = now(), clock_finished_at = ${finishedAt},
                    verification = ${verification ? tx.json(toJsonValue(verification)) : null}, error = ${error},
                    lease_owner = null, lease_expires_at = null
              where id = ${run.id} and lease_owner = ${params.owner}`;
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
}
