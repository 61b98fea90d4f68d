/**
 * Drives the runbook in integration tests the way the console does: actions through the wrapper
 * (validated, authorized, audited), and runner ticks with a hand-moved clock so waits take no
 * wall time.
 */
import { expect } from 'vitest';
import type { z } from 'zod';
import { type ActionResult, type ActionSpec, executeAction } from '../lib/auth/action';
import type { Role } from '../lib/auth/roles';
import type { SessionUser } from '../lib/auth/sessions';
import type { Database } from '../lib/db/connection';
import { type FixedClock, fixedClock } from '../lib/market/clock';
import { createStartPhaseRun, startPhaseRun } from '../lib/runbook/actions/start-phase-run';
import { createValidateAction, overrideValidation } from '../lib/runbook/actions/validate';
import { type RunbookConfig, runbookConfigFromEnv } from '../lib/runbook/engine/config';
import type { PhaseRegistry } from '../lib/runbook/engine/phase-registry';
import { getActivePhaseRun, getPhaseRun, type PhaseRunRow } from '../lib/runbook/engine/run-state';
import type { PhaseDefinition } from '../lib/runbook/engine/types';
import { runbookRunnerTick } from '../lib/runbook/runbook-runner';
import { readValidationGate } from '../lib/runbook/validate/gate';
import type { ValidationItem } from '../lib/runbook/validate/verdict';
import type { StatementRecorder } from './statement-recorder';
import { MIDWEEK_NOW } from './test-world';

let nextUserId = 1000;

export function testUser(username: string, roles: Role[]): SessionUser {
  nextUserId += 1;
  return { id: nextUserId, username, roles, sessionId: `test-${username}` };
}

export const OPERATOR = testUser('olivia', ['operator']);
export const OPERATOR_2 = testUser('oscar', ['operator']);
export const VIEWER = testUser('vic', ['viewer']);
export const APPROVER = testUser('ava', ['approver']);
export const APPROVER_2 = testUser('abe', ['approver']);
export const ADMIN = testUser('ada', ['admin']);

export interface Driver {
  clock: FixedClock;
  config: RunbookConfig;
  /** Runs an action as `user`; its result is typed by the action's own spec. */
  act<S extends z.ZodType, T>(spec: ActionSpec<S, T>, user: SessionUser, input: unknown): Promise<ActionResult<T>>;
  start(phase: string, user?: SessionUser, extra?: Record<string, unknown>): Promise<number>;
  /** Runner ticks (advancing the clock a minute whenever a run waits) until the run finishes. */
  finish(runId: number, options?: { maxTicks?: number; owner?: string }): Promise<PhaseRunRow>;
  run(phase: string, extra?: Record<string, unknown>): Promise<PhaseRunRow>;
  /** Runs each phase in turn; the test fails, naming the failed checks, unless each succeeds. */
  runThrough(phases: readonly string[]): Promise<void>;
  tick(owner?: string): Promise<void>;
  /** The writing statements the driver's recording connection saw for a run (none without a recorder). */
  writesOf(runId: number): { key: string; text: string }[];
  /**
   * Validate as the console does before phase 1 (docs/phases.md "Validate — before the night").
   * `start('1')` calls it when phase 1's gate is not open; on a world validate finds NO-GO (a test's
   * deliberately broken world), the driver then records an admin's override naming the NO-GO items,
   * so the test reaches what it tests. The validate tests assert the gate itself.
   */
  validate(): Promise<{ verdict: 'go' | 'no-go'; items: ValidationItem[]; validationId: number }>;
}

export interface DriverOptions {
  start?: Date;
  config?: Partial<RunbookConfig>;
  /** Phases of the test's own (lib/runbook/engine/phase-registry.test.ts): started and run instead of the runbook's. */
  phases?: PhaseRegistry<PhaseDefinition>;
  /** Leave phase 1's validation gate to the test (default: the driver validates before starting phase 1). */
  manualValidation?: boolean;
  /**
   * Runs are claimed and advanced through its connection, and each run `finish` sees end must have
   * written only statements its preview listed (test-support/statement-recorder.ts).
   */
  recorder?: StatementRecorder;
}

export function createDriver(database: Database, options: DriverOptions = {}): Driver {
  const { phases, recorder } = options;
  const runsDatabase = recorder?.database;
  const start = phases ? createStartPhaseRun(phases) : startPhaseRun;
  const clock = fixedClock(options.start ?? MIDWEEK_NOW);
  // pacingSignals off: the test databases share one server whose WAL and checkpoints other files drive (lib/runbook/engine/config.ts).
  const config: RunbookConfig = {
    ...runbookConfigFromEnv({}),
    dumpDirectory: null,
    pacingSignals: false,
    ...options.config,
  };
  const driver: Driver = {
    clock,
    config,
    async act(spec, user, input) {
      return executeAction(spec, { database, user, rawInput: input });
    },
    async validate() {
      const result = await executeAction(createValidateAction({ config }), { database, user: OPERATOR, rawInput: {} });
      if (result.status !== 'ok') throw new Error(`validate → ${JSON.stringify(result)}`);
      return result.data;
    },
    async start(phase, user = OPERATOR, extra = {}) {
      // Phase 1 needs a GO from the last 24 hours: validate first, as an operator does (the runbook's phases only).
      if (phase === '1' && !phases && !options.manualValidation && !(await readValidationGate(database.sql)).passed) {
        const validation = await driver.validate();
        if (validation.verdict === 'no-go') {
          const noGo = validation.items.filter((i) => i.status === 'no-go').map((i) => `${i.name}: ${i.reason}`);
          const override = await executeAction(overrideValidation, {
            database,
            user: ADMIN,
            rawInput: { reason: `Test driver, a world with known defects: ${noGo.join(' | ')}`.slice(0, 2000) },
          });
          if (override.status !== 'ok') throw new Error(`override → ${JSON.stringify(override)}`);
        }
      }
      const result = await executeAction(start, { database, user, rawInput: { phase, ...extra } });
      if (result.status !== 'ok') throw new Error(`start ${phase} → ${JSON.stringify(result)}`);
      return result.data.runId;
    },
    writesOf(runId) {
      return recorder?.writesOf(runId) ?? [];
    },
    async tick(owner = 'test-runner') {
      if (recorder) recorder.attribute((await getActivePhaseRun(database.sql))?.id ?? null);
      await runbookRunnerTick(database, { owner, config, clock, phases, runsDatabase });
    },
    async finish(runId, finishOptions = {}) {
      const maxTicks = finishOptions.maxTicks ?? 400;
      for (let i = 0; i < maxTicks; i++) {
        const before = await getPhaseRun(database.sql, { id: runId });
        if (
          before &&
          ['succeeded', 'failed', 'rejected', 'aborted', 'paused', 'awaiting-approval'].includes(before.status)
        ) {
          if (recorder) await expectOnlyPreviewedWrites(database, recorder, runId);
          return before;
        }
        recorder?.attribute(runId);
        await runbookRunnerTick(database, {
          owner: finishOptions.owner ?? 'test-runner',
          config,
          clock,
          phases,
          runsDatabase,
        });
        clock.advance(60_000);
      }
      throw new Error(`run #${runId} did not finish in ${maxTicks} ticks: ${await describeRun(database, runId)}`);
    },
    async run(phase, extra = {}) {
      return driver.finish(await driver.start(phase, OPERATOR, extra));
    },
    async runThrough(phases) {
      for (const phase of phases) {
        const run = await driver.run(phase);
        expect(run.status, `phase ${phase}: ${failedChecks(run)}`).toBe('succeeded');
      }
    },
  };
  return driver;
}

/**
 * Every statement that writes and reached the database while the run advanced is one of the
 * statements of its preview: what the operator (and approver) saw is all that ran.
 */
async function expectOnlyPreviewedWrites(database: Database, recorder: StatementRecorder, runId: number) {
  const events = await database.sql<{ keys: string[] }[]>`
    select data->'previewedStatements' as keys from cutover.phase_run_events
     where phase_run_id = ${runId} and data ? 'previewedStatements'`;
  const previewed = new Set(events.flatMap((e) => e.keys));
  const unlisted = recorder.writesOf(runId).filter((w) => !previewed.has(w.key));
  if (unlisted.length === 0) return;
  expect(
    unlisted.map((w) => w.text.replace(/\s+/g, ' ').slice(0, 200)),
    `run #${runId} wrote statements its preview does not list (${events.length} events list its preview's ` +
      `${previewed.size} statements): ${await describeRun(database, runId)}`,
  ).toEqual([]);
}

/** A run as a failed test should show it: its state and its last log lines, so a rare failure explains itself. */
async function describeRun(database: Database, runId: number): Promise<string> {
  const run = await getPhaseRun(database.sql, { id: runId });
  const events = await database.sql<{ at: Date; level: string; message: string }[]>`
    select at, level, left(message, 300) as message from cutover.phase_run_events
     where phase_run_id = ${runId} order by id desc limit 12`;
  return JSON.stringify(
    {
      status: run?.status,
      phase: run?.phase,
      attempt: run?.attempt,
      error: run?.error,
      lines: events.reverse().map((e) => `${e.at.toISOString()} ${e.level} ${e.message}`),
    },
    null,
    1,
  );
}

export function failedChecks(run: PhaseRunRow): string {
  return JSON.stringify({ error: run.error, failed: run.verification?.checks.filter((c) => !c.passed) }, null, 1);
}
