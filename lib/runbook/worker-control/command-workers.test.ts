import { describe, expect, it } from 'vitest';
import { runWorkerCommand } from './command-workers';
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
    const names = output.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('=')[0])
      .filter((name) => name !== 'PWD' && name !== 'SHLVL' && name !== '_');
    expect(names.sort()).toEqual(['HOME', 'KUBECONFIG', 'PATH', 'WORKER_MODE']);
    for (const value of Object.values(SECRETS)) expect(output.stdout).not.toContain(value);
  });

  it('redact every configured secret value from the command line and its output', async () => {
    const env = { ...SECRETS, PATH: process.env.PATH };
    const output = await runWorkerCommand(
      `echo ${SECRETS.CUTOVER_METRICS_TOKEN} db-password-9876; echo ${SECRETS.PAYMENTS_API_KEY} >&2`,
      {},
      10_000,
      env,
    );
    const stored = JSON.stringify(output);
    for (const value of [...Object.values(SECRETS), 'db-password-9876']) expect(stored).not.toContain(value);
    expect(output.stdout).toBe('[redacted] [redacted]\n');
    expect(output.stderr).toBe('[redacted]\n');
    expect(output.command).toContain('echo [redacted]');
  });
});

describe('worker command output on the phase pages', () => {
  it('is reduced to exit code and duration for anyone who is not an operator or approver', async () => {
    const output = await runWorkerCommand('echo deployed to cluster-7', {}, 10_000, { PATH: process.env.PATH });
    const live = { events: [{ message: 'Deployed workers in mode dual.', data: { output } }] };
    expect(canSeeWorkerOutput(['viewer'])).toBe(false);
    expect(canSeeWorkerOutput(['viewer', 'approver'])).toBe(true);
    const hidden = hideWorkerOutput(live);
    expect(JSON.stringify(hidden)).not.toContain('cluster-7');
    expect(hidden.events[0]?.data.output).toMatchObject({ exitCode: 0, timedOut: false });
    expect(JSON.stringify(live)).toContain('cluster-7');
  });
});
