import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerCommandFailed } from './captured-output';
import { commandWorkerControl, redactSecretValues, runWorkerCommand } from './command-workers';
import { canSeeWorkerOutput, hideWorkerOutput } from './hide-worker-output';

const SECRETS = {
  CUTOVER_METRICS_TOKEN: 'metrics-token-3f9a7c2e1d5b',
  ALERT_WEBHOOK_URL: 'https://hooks.example.test/services/T000/B000/XyZsecretPart',
  CUTOVER_PASSWORD: 'operator-password-long',
  DATABASE_URL: 'postgres://cutover:db-password-9876@db.internal:5432/market',
  PAYMENTS_API_KEY: 'pk_live_abcdef123456',
};

describe('worker commands see only what they need', () => {
  it('run with PATH, HOME, WORKER_MODE and the variables CUTOVER_WORKER_ENV names — no secret of the console', async () => {
    const env = {
      ...SECRETS,
      PATH: process.env.PATH,
      HOME: '/home/cutover',
      KUBECONFIG: '/etc/kube/config',
      UNRELATED: 'not-passed',
      CUTOVER_WORKER_ENV: 'KUBECONFIG',
    };
    const output = await runWorkerCommand('env', { WORKER_MODE: 'dual' }, 10_000, env);
    expect(output.exitCode).toBe(0);
    const names = output
      .reveal()
      .stdout.split('\n')
      .filter(Boolean)
      .map((line) => line.split('=')[0])
      .filter((name) => name !== 'PWD' && name !== 'SHLVL' && name !== '_');
    expect(names.sort()).toEqual(['HOME', 'KUBECONFIG', 'PATH', 'WORKER_MODE']);
    for (const value of Object.values(SECRETS)) expect(output.reveal().stdout).not.toContain(value);
  });

  it('redact every configured secret value from the command line and its output', async () => {
    const env = { ...SECRETS, PATH: process.env.PATH };
    const output = await runWorkerCommand(
      `echo ${SECRETS.CUTOVER_METRICS_TOKEN} db-password-9876; echo ${SECRETS.PAYMENTS_API_KEY} >&2`,
      {},
      10_000,
      env,
    );
    const stored = JSON.stringify(output.reveal());
    for (const value of [...Object.values(SECRETS), 'db-password-9876']) expect(stored).not.toContain(value);
    expect(output.reveal().stdout).toBe('[redacted] [redacted]\n');
    expect(output.reveal().stderr).toBe('[redacted]\n');
    expect(output.reveal().command).toContain('echo [redacted]');
  });
});

describe('worker command output on the phase pages', () => {
  it('is for admins only: operators, approvers and viewers see exit code and duration', () => {
    // Stored before the output moved to the runner log: a full output object in an event's data.
    const output = { command: 'deploy --to cluster-7', exitCode: 0, stdout: 'deployed to cluster-7', stderr: '' };
    const live = { events: [{ message: 'Deployed workers in mode dual.', data: { output } }] };
    for (const roles of [['viewer'], ['operator'], ['approver'], ['operator', 'approver']] as const)
      expect(canSeeWorkerOutput(roles), roles.join()).toBe(false);
    expect(canSeeWorkerOutput(['viewer', 'admin'])).toBe(true);
    const hidden = hideWorkerOutput(live);
    expect(JSON.stringify(hidden)).not.toContain('cluster-7');
    expect(hidden.events[0]?.data.output).toMatchObject({ exitCode: 0, timedOut: false });
    expect(JSON.stringify(live)).toContain('cluster-7');
    const error = 'Failed: Worker command failed (exit 3): deploy --to cluster-7\npermission denied for cluster-7';
    expect(hideWorkerOutput({ error })).toEqual({
      error: 'Failed: worker command failed (exit 3), see the runner log',
    });
  });

  it('serializes to its ending only: the text comes out through reveal() alone', async () => {
    const output = await runWorkerCommand('echo deployed to cluster-7; echo boom >&2; exit 3', {}, 10_000, {
      PATH: process.env.PATH,
    });
    for (const shown of [JSON.stringify(output), JSON.stringify({ data: { output } }), `${output}`, String(output)])
      expect(shown).not.toMatch(/cluster-7|boom|echo/);
    expect(JSON.parse(JSON.stringify(output))).toEqual({ exitCode: 3, timedOut: false, durationMs: output.durationMs });
    expect(output.reveal()).toEqual({
      command: 'echo deployed to cluster-7; echo boom >&2; exit 3',
      stdout: 'deployed to cluster-7\n',
      stderr: 'boom\n',
    });
  });
});

describe('secret-looking text in what a worker command prints', () => {
  it('is redacted even when no configured setting holds it', () => {
    const text =
      'FATAL: password authentication failed for postgres://deploy:pw-S3CRET@db:5432/x\n' +
      'API_TOKEN=tok-abc123 kubectl --token tok-xyz --password=hunter22 apply\n' +
      'curl -H "Authorization: Bearer eyJhbGciOi.abc" https://user:webpass99@hooks.example/x\n' +
      'secret: "s3cr3t-value", other';
    const redacted = redactSecretValues(text, []);
    for (const secret of ['pw-S3CRET', 'tok-abc123', 'tok-xyz', 'hunter22', 'eyJhbGciOi', 'webpass99', 's3cr3t-value'])
      expect(redacted).not.toContain(secret);
    expect(redacted).toContain('password authentication failed for postgres://deploy:***@db:5432/x');
    expect(redacted).toContain('API_TOKEN=[redacted] kubectl --token [redacted] --password=[redacted] apply');
  });
});

describe('a deploy command that fails or times out', () => {
  const directory = mkdtempSync(join(tmpdir(), 'dxy-cutover-deploy-errors-'));
  const before = process.env.CUTOVER_DATA_DIR;
  beforeAll(() => {
    process.env.CUTOVER_DATA_DIR = directory;
  });
  afterAll(() => {
    if (before === undefined) delete process.env.CUTOVER_DATA_DIR;
    else process.env.CUTOVER_DATA_DIR = before;
    rmSync(directory, { recursive: true, force: true });
  });

  const deployWith = (deployCommand: string, timeoutMs: number, lines: string[]) =>
    commandWorkerControl(
      { deployCommand, restartCommand: null, statusCommand: null, timeoutMs },
      { log: (line) => lines.push(line) },
    ).deploy('dual');

  it('throws its kind, exit code and runner-log reference, never the command line or stderr', async () => {
    const lines: string[] = [];
    const error = await deployWith('echo "denied on cluster-7" >&2; exit 3', 10_000, lines).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCommandFailed);
    expect((error as Error).message).toMatch(
      /^deploy command failed \(exit 3\), see the runner log \(wo-\d{8}T\d{6}Z-[0-9a-f]{12}\)$/,
    );
    expect((error as WorkerCommandFailed).summary).toMatchObject({ kind: 'deploy', exitCode: 3, timedOut: false });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^deploy command failed \(exit 3\) in [\d.]+ s; command line and output in the runner log as wo-/,
    );
    expect(`${(error as Error).message} ${lines.join()}`).not.toMatch(/cluster-7|denied|echo/);
  });

  it('says it timed out after how long', async () => {
    const error = await deployWith('sleep 5 # on cluster-7', 200, []).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^deploy command timed out after 0.2 s, see the runner log \(wo-/);
    expect((error as WorkerCommandFailed).summary).toMatchObject({ timedOut: true });
  });
});
