import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { RunEvents } from '../../../components/run-events';
import { type CliConsole, cliEnvironment, runCli, startCliConsole } from '../../../test-support/cli-console';
import { OPERATOR } from '../../../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../../../test-support/test-world';
import { useTestWorld } from '../../../test-support/world-database';
import { defineAction, executeAction } from '../../auth/action';
import type { Role } from '../../auth/roles';
import { toJson } from '../../json';
import type { PhaseRunRow } from '../engine/run-state';
import { checkWorkers } from '../phases/shared/health-checks';
import { readPhaseDetail, readPhaseLive } from '../read/read-phase-detail';
import { readRunReport } from '../read/report/read-run-report';
import { commandWorkerControl } from './command-workers';
import { canSeeWorkerOutput } from './hide-worker-output';

/**
 * Issue 20, deliverable 6: a worker command that fails with a secret-looking command line and stderr.
 * The deploy command is the one boundary faked here (a shell command, as in production). Whatever the
 * command printed must reach no surface a non-admin reads — the run's error, its events, the phase
 * pages, the report and the CLI's report, the audit log, alerts, production's ops_runlog, the runner's
 * console — and admins see it, redacted, from the runner log.
 */
const CMD_SECRET = 'cmdtok-9f8e7d6c5b4a';
const ENV_SECRET = 'envsecret-0a9b8c7d6e';
const URL_SECRET = 'urlpw-1a2b3c4d5e';
const STDERR_SECRET = 'stderrkey-5e6f7a8b9c';
const SECRETS = [CMD_SECRET, ENV_SECRET, URL_SECRET, STDERR_SECRET];
/** Not secret, but command text and output all the same: for admins only. */
const COMMAND_MARKER = 'cluster-zeta-7';
const STDERR_MARKER = 'admission-webhook-denied-zeta';
const NOT_FOR_NON_ADMINS = [...SECRETS, COMMAND_MARKER, STDERR_MARKER, 'kubectl'];

const DEPLOY_COMMAND =
  `true kubectl --token ${CMD_SECRET} --server https://ops:${ENV_SECRET}@k8s.internal rollout restart ` +
  `deploy/dxy-workers --context ${COMMAND_MARKER}; ` +
  `echo "Error from server: ${STDERR_MARKER}; retry with postgres://deploy:${URL_SECRET}@db.internal:5432/market" >&2; ` +
  `echo "API_KEY=${STDERR_SECRET}" >&2; exit 3`;

function expectNothingOfTheCommand(surface: string, text: string): void {
  for (const forbidden of NOT_FOR_NON_ADMINS) expect(text, `${surface} shows "${forbidden}"`).not.toContain(forbidden);
}

const NON_ADMINS: Role[][] = [['viewer'], ['operator'], ['approver'], ['operator', 'approver']];

/** The runner log of this file's commands: a directory of its own, not the console's data directory. */
const dataDir = mkdtempSync(join(tmpdir(), 'dxy-cutover-redaction-'));
const dataDirBefore = process.env.CUTOVER_DATA_DIR;
beforeAll(() => {
  process.env.CUTOVER_DATA_DIR = dataDir;
});
afterAll(() => {
  if (dataDirBefore === undefined) delete process.env.CUTOVER_DATA_DIR;
  else process.env.CUTOVER_DATA_DIR = dataDirBefore;
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a worker deploy command that fails with secrets in its command line and stderr', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 2 }, { through: ['1', '2-fix', '3', '4', '5', '6'] });
  let saved: Record<string, string | undefined> = {};
  const consoleLines: string[] = [];
  let run: PhaseRunRow;
  let cli: CliConsole | null = null;

  beforeAll(async () => {
    saved = { ...process.env };
    Object.assign(process.env, {
      CUTOVER_WORKER_DEPLOY_CMD: DEPLOY_COMMAND,
      CUTOVER_WORKER_STATUS_CMD: 'echo mode=legacy',
      CUTOVER_WORKER_RESTART_CMD: 'true',
      // A secret of the console's environment: redacted by value wherever a command line or output holds it.
      DEPLOY_API_TOKEN: ENV_SECRET,
    });
    // Real workers from here on: the configured commands, not the rehearsal simulation.
    await test.database.sql`delete from cutover.rehearsal_workers`;
    const capture = (...args: unknown[]) => {
      consoleLines.push(args.map(String).join(' '));
    };
    const spies = (['log', 'info', 'warn', 'error'] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation(capture),
    );
    try {
      const runId = await test.driver.start('7');
      run = await test.driver.finish(runId);
      // The runner's next tick evaluates alerts on the failed run.
      await test.driver.tick();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  }, 600_000);

  afterAll(async () => {
    await cli?.close();
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  });

  it('fails the run with "deploy command failed (exit 3), see the runner log" and nothing of the command', async () => {
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(
      /^deploy command failed \(exit 3\), see the runner log \(wo-\d{8}T\d{6}Z-[0-9a-f]{12}\)$/,
    );
    const [row] = await test.database.sql`select * from cutover.phase_runs where id = ${run.id}`;
    expectNothingOfTheCommand('phase_runs', JSON.stringify(row));
  });

  it('logs a summary in the phase-run events, without the command line or its output', async () => {
    const events = await test.database.sql<{ message: string; data: unknown }[]>`
      select message, data from cutover.phase_run_events where phase_run_id = ${run.id} order by id`;
    expectNothingOfTheCommand('phase_run_events', JSON.stringify(events));
    expect(events.map((e) => e.message)).toContain(`Failed: ${run.error}`);
  });

  it('writes only summaries to production’s ops_runlog', async () => {
    const rows = await test.database.sql<{ events: unknown; stats: unknown; checkpoints: unknown }[]>`
      select events, stats, checkpoints from public.ops_runlog where job_name like 'dxy_cutover.%'`;
    expect(rows.length).toBeGreaterThan(0);
    expectNothingOfTheCommand('ops_runlog', JSON.stringify(rows));
    const [phase7] = await test.database.sql<{ text: string }[]>`
      select events::text || stats::text as text from public.ops_runlog where job_name = 'dxy_cutover.phase_7'`;
    expect(phase7?.text).toContain('deploy command failed (exit 3), see the runner log');
  });

  it('shows viewers, operators and approvers the summary on the phase page, and admins the redacted output', async () => {
    for (const roles of NON_ADMINS) {
      const detail = await readPhaseDetail(test.database, {
        phaseId: '7',
        showWorkerOutput: canSeeWorkerOutput(roles),
      });
      expect(detail.latest?.id).toBe(run.id);
      expectNothingOfTheCommand(`the phase page for ${roles.join('+')}`, JSON.stringify(detail));
      const live = await readPhaseLive(test.database, { phaseId: '7', showWorkerOutput: canSeeWorkerOutput(roles) });
      expectNothingOfTheCommand(`the phase API for ${roles.join('+')}`, JSON.stringify(live));
    }
    const admin = JSON.stringify(
      await readPhaseLive(test.database, { phaseId: '7', showWorkerOutput: canSeeWorkerOutput(['admin']) }),
    );
    for (const shown of [COMMAND_MARKER, STDERR_MARKER, 'kubectl']) expect(admin).toContain(shown);
    for (const secret of SECRETS) expect(admin, `admins see "${secret}"`).not.toContain(secret);
  });

  it('renders the transcript in the phase page’s log for admins only', async () => {
    const logOf = async (roles: Role[]) => {
      const live = await readPhaseLive(test.database, { phaseId: '7', showWorkerOutput: canSeeWorkerOutput(roles) });
      return renderToStaticMarkup(createElement(RunEvents, { events: toJson(live.events) }));
    };
    for (const roles of NON_ADMINS) {
      const html = await logOf(roles);
      expect(html).toContain('deploy command failed (exit 3), see the runner log');
      expectNothingOfTheCommand(`the log rendered for ${roles.join('+')}`, html);
    }
    const admin = await logOf(['admin']);
    expect(admin).toContain('data-testid="worker-output"');
    for (const shown of [COMMAND_MARKER, STDERR_MARKER]) expect(admin).toContain(shown);
    for (const secret of SECRETS) expect(admin).not.toContain(secret);
  });

  it('keeps the report and the CLI’s report (JSON and HTML) to the summary', async () => {
    const report = await readRunReport(test.database, { migrationRunId: run.migrationRunId });
    expect(report?.phaseRuns.some((p) => p.run.id === run.id)).toBe(true);
    expectNothingOfTheCommand('the report', JSON.stringify(report));
    cli = await startCliConsole(test.database);
    const viewerEnv = cliEnvironment({
      CUTOVER_URL: cli.url,
      CUTOVER_TOKEN: await cli.userWithToken('redaction-viewer', ['viewer']),
    });
    const json = await runCli(['report', String(run.migrationRunId), '--json'], viewerEnv);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout).toContain('deploy command failed (exit 3), see the runner log');
    expectNothingOfTheCommand('the CLI report JSON', json.stdout + json.stderr);
    const html = await runCli(['report', String(run.migrationRunId)], viewerEnv);
    expect(html.code, html.stderr).toBe(0);
    expectNothingOfTheCommand('the CLI report HTML', html.stdout + html.stderr);
  }, 120_000);

  it('leaves it out of the audit log and the alerts', async () => {
    const audit = await test.database.sql`select * from cutover.audit_events`;
    expect(audit.length).toBeGreaterThan(0);
    expectNothingOfTheCommand('audit_events', JSON.stringify(audit));
    const alerts = await test.database.sql`select * from cutover.alert_outbox`;
    expectNothingOfTheCommand('alert_outbox', JSON.stringify(alerts));
  });

  it('prints only the runner-log reference on the runner’s console; the runner log holds the redacted text', () => {
    expectNothingOfTheCommand('the runner console', consoleLines.join('\n'));
    const ref = /\((wo-[^)]+)\)$/.exec(run.error ?? '')?.[1] ?? 'no reference in the error';
    expect(consoleLines.join('\n')).toContain(`deploy command failed (exit 3) in`);
    expect(consoleLines.join('\n')).toContain(ref);
    const directory = join(dataDir, 'runner-log');
    expect(readdirSync(directory)).toContain(`${ref}.json`);
    const file = join(directory, `${ref}.json`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const stored = readFileSync(file, 'utf8');
    for (const shown of [COMMAND_MARKER, STDERR_MARKER, '[redacted]']) expect(stored).toContain(shown);
    for (const secret of SECRETS) expect(stored, `the runner log keeps "${secret}"`).not.toContain(secret);
  });
});

describe('the status command’s output in phase 6’s worker check', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 1 });

  it('is not evidence: the check holds how the command ended, not what it printed', async () => {
    const workers = commandWorkerControl({
      deployCommand: 'true',
      restartCommand: null,
      statusCommand: `echo mode=legacy; echo "workers on ${COMMAND_MARKER} token=${CMD_SECRET}"`,
      timeoutMs: 10_000,
    });
    const check = await checkWorkers(test.database.sql, workers, {
      expectedMode: 'legacy',
      now: MIDWEEK_NOW,
      minutes: 60,
    });
    expect(check.detail).toContain('mode legacy');
    expectNothingOfTheCommand('the worker check', JSON.stringify(check));
    expect(check.evidence).toMatchObject({ status: { mode: 'legacy', healthy: true, output: { exitCode: 0 } } });
  });

  it('is not in the audit detail of an action that ran a worker command and failed, nor in its answer', async () => {
    const restartWorkers = defineAction({
      name: 'test.deploy_workers',
      input: z.object({}),
      roles: ['operator'],
      run: async () =>
        commandWorkerControl(
          { deployCommand: DEPLOY_COMMAND, restartCommand: null, statusCommand: null, timeoutMs: 10_000 },
          { log: () => {} },
        ).deploy('dual'),
    });
    const result = await executeAction(restartWorkers, { database: test.database, user: OPERATOR, rawInput: {} });
    expect(result.status).toBe('failed');
    expectNothingOfTheCommand('the action’s answer', JSON.stringify(result));
    const rows = await test.database.sql<{ detail: unknown }[]>`
      select detail from cutover.audit_events where action = 'test.deploy_workers' and outcome = 'failed'`;
    expect(rows).toHaveLength(1);
    expectNothingOfTheCommand('the failed action’s audit detail', JSON.stringify(rows));
    expect(JSON.stringify(rows)).toContain('deploy command failed (exit 3), see the runner log');
  });
});

describe('a worker deploy and restart that succeed and print secrets', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 2 }, { through: ['1', '2-fix', '3', '4', '5', '6'] });
  let saved: Record<string, string | undefined> = {};
  let runId: number;

  beforeAll(async () => {
    saved = { ...process.env };
    Object.assign(process.env, {
      CUTOVER_WORKER_DEPLOY_CMD:
        `true kubectl --token ${CMD_SECRET} --context ${COMMAND_MARKER}; ` +
        `echo "rolled out to ${COMMAND_MARKER} with API_KEY=${STDERR_SECRET}"; echo "${STDERR_MARKER}" >&2`,
      CUTOVER_WORKER_RESTART_CMD: `echo "restarted on ${COMMAND_MARKER}, db postgres://w:${URL_SECRET}@db/market"`,
      CUTOVER_WORKER_STATUS_CMD: 'echo mode=legacy',
    });
    await test.database.sql`delete from cutover.rehearsal_workers`;
    runId = await test.driver.start('7');
    // One tick deploys, restarts and fills the gap; then the run waits for proof the simulation cannot give.
    await test.driver.tick();
  }, 600_000);

  afterAll(() => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  });

  it('logs both as summaries: events, ops_runlog, the report and non-admins’ phase pages hold nothing of them', async () => {
    const events = await test.database.sql<{ message: string; data: { output?: { kind?: string } } }[]>`
      select message, data from cutover.phase_run_events where phase_run_id = ${runId} order by id`;
    expectNothingOfTheCommand('phase_run_events', JSON.stringify(events));
    expect(events.filter((e) => e.data.output).map((e) => [e.message, e.data.output?.kind])).toEqual([
      ['Deployed workers in mode dual.', 'deploy'],
      ['Restarted the workers.', 'restart'],
    ]);
    const runlog = await test.database
      .sql`select events, stats from public.ops_runlog where job_name = 'dxy_cutover.phase_7'`;
    expectNothingOfTheCommand('ops_runlog', JSON.stringify(runlog));
    const [migration] = await test.database.sql<{ id: number }[]>`select id from cutover.migration_runs`;
    const report = await readRunReport(test.database, { migrationRunId: Number(migration?.id), withPreviews: false });
    expectNothingOfTheCommand('the report', JSON.stringify(report));
    for (const roles of NON_ADMINS) {
      const live = await readPhaseLive(test.database, { phaseId: '7', showWorkerOutput: canSeeWorkerOutput(roles) });
      expectNothingOfTheCommand(`the phase API for ${roles.join('+')}`, JSON.stringify(live));
    }
  });

  it('shows admins both transcripts, redacted', async () => {
    const live = await readPhaseLive(test.database, { phaseId: '7', showWorkerOutput: canSeeWorkerOutput(['admin']) });
    const transcripts = live.events.flatMap((e) => {
      const output = e.data.output as { runnerLog?: { command: string; stdout: string; stderr: string } } | undefined;
      return output?.runnerLog ? [output.runnerLog] : [];
    });
    expect(transcripts).toHaveLength(2);
    const text = JSON.stringify(transcripts);
    for (const shown of [`rolled out to ${COMMAND_MARKER}`, STDERR_MARKER, `restarted on ${COMMAND_MARKER}`])
      expect(text).toContain(shown);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });
});
