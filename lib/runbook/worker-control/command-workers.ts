/**
 * Worker control of a real deployment through commands from the environment:
 *   CUTOVER_WORKER_DEPLOY_CMD   run with WORKER_MODE=legacy|dual|final in its environment
 *   CUTOVER_WORKER_RESTART_CMD  restarts tick-factory and aggregator
 *   CUTOVER_WORKER_STATUS_CMD   exits 0 when healthy; may print `mode=<mode>` on a line
 *   CUTOVER_WORKER_TIMEOUT_SECONDS (default 300)
 * Output is captured (bounded) into the phase log; a command that times out is killed.
 * A command sees an explicit environment — PATH, HOME, WORKER_MODE and the variables named in
 * CUTOVER_WORKER_ENV — never the console's own (its database URL, tokens, the webhook URL), and
 * every configured secret value is redacted from its command line and output before they are
 * stored (docs/operations.md, "Worker control").
 */
import { spawn } from 'node:child_process';
import { redactCredentialsInText } from '../../auth/audit';
import { readSetting, SETTINGS, type SettingName } from '../../settings';
import type { WorkerCommandOutput, WorkerControl, WorkerMode } from './worker-control';

const MAX_OUTPUT = 20_000;

export interface CommandWorkerConfig {
  deployCommand: string;
  restartCommand: string | null;
  statusCommand: string | null;
  timeoutMs: number;
}

export function commandWorkerConfigFromEnv(
  env: Record<string, string | undefined> = process.env,
): CommandWorkerConfig | null {
  const deployCommand = readSetting('CUTOVER_WORKER_DEPLOY_CMD', env);
  if (!deployCommand) return null;
  return {
    deployCommand,
    restartCommand: readSetting('CUTOVER_WORKER_RESTART_CMD', env) ?? null,
    statusCommand: readSetting('CUTOVER_WORKER_STATUS_CMD', env) ?? null,
    timeoutMs: readSetting('CUTOVER_WORKER_TIMEOUT_SECONDS', env) * 1000,
  };
}

/** Names that hold secrets even when the settings module does not declare them. */
const SECRET_NAME = /pass(word)?|secret|token|api_?key|private|credential|database_?url|webhook/i;
const MIN_SECRET_LENGTH = 6;

/** The environment a worker command runs with: PATH, HOME and the variables CUTOVER_WORKER_ENV names. */
export function workerCommandEnvironment(
  extraEnv: Record<string, string>,
  env: Record<string, string | undefined> = process.env,
): Record<string, string> {
  const names = ['PATH', 'HOME', ...(readSetting('CUTOVER_WORKER_ENV', env) ?? [])];
  const passed: Record<string, string> = {};
  for (const name of names) {
    const value = env[name];
    if (value !== undefined) passed[name] = value;
  }
  return { ...passed, ...extraEnv };
}

/** Every configured secret value: declared secret settings and any variable whose name says secret. */
export function configuredSecretValues(env: Record<string, string | undefined> = process.env): string[] {
  const declared = (Object.keys(SETTINGS) as SettingName[]).filter(
    (name) => (SETTINGS[name] as { secret?: boolean }).secret,
  );
  const named = Object.keys(env).filter((name) => SECRET_NAME.test(name));
  const values = new Set<string>();
  for (const name of [...declared, ...named]) {
    const value = env[name];
    if (!value || value.length < MIN_SECRET_LENGTH) continue;
    values.add(value);
    // The password inside a connection string is a secret of its own.
    if (URL.canParse(value)) {
      const password = decodeURIComponent(new URL(value).password);
      if (password.length >= MIN_SECRET_LENGTH) values.add(password);
    }
  }
  // Longest first, so a secret containing another is replaced whole.
  return [...values].sort((a, b) => b.length - a.length);
}

export function redactSecretValues(text: string, secrets: readonly string[]): string {
  let redacted = text;
  for (const secret of secrets) redacted = redacted.split(secret).join('[redacted]');
  return redactCredentialsInText(redacted);
}

export function runWorkerCommand(
  command: string,
  extraEnv: Record<string, string>,
  timeoutMs: number,
  env: Record<string, string | undefined> = process.env,
): Promise<WorkerCommandOutput> {
  const started = Date.now();
  const secrets = configuredSecretValues(env);
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], {
      env: workerCommandEnvironment(extraEnv, env) as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout = (stdout + chunk.toString()).slice(-MAX_OUTPUT);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-MAX_OUTPUT);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      // Kill the whole process group: a shell's children must not outlive the timeout.
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    }, timeoutMs);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({
        command: redactSecretValues(command, secrets),
        exitCode,
        stdout: redactSecretValues(stdout, secrets),
        stderr: redactSecretValues(stderr, secrets),
        timedOut,
        durationMs: Date.now() - started,
      });
    });
  });
}

export function commandWorkerControl(config: CommandWorkerConfig): WorkerControl {
  const run = async (command: string, env: Record<string, string> = {}) => {
    const output = await runWorkerCommand(command, env, config.timeoutMs);
    if (output.timedOut)
      throw new Error(`Worker command timed out after ${config.timeoutMs / 1000} s: ${output.command}`);
    if (output.exitCode !== 0) {
      throw new Error(
        `Worker command failed (exit ${output.exitCode}): ${output.command}\n${output.stderr.slice(-2000)}`,
      );
    }
    return output;
  };
  return {
    kind: 'command',
    deploy: (mode: WorkerMode) => run(config.deployCommand, { WORKER_MODE: mode }),
    restart: async () => (config.restartCommand ? run(config.restartCommand) : null),
    async status() {
      if (!config.statusCommand)
        return { mode: null, healthy: true, detail: 'no CUTOVER_WORKER_STATUS_CMD configured' };
      const output = await runWorkerCommand(config.statusCommand, {}, config.timeoutMs);
      const match = /^mode=(legacy|dual|final)\s*$/m.exec(output.stdout);
      return {
        mode: (match?.[1] as WorkerMode | undefined) ?? null,
        healthy: output.exitCode === 0 && !output.timedOut,
        detail: output.exitCode === 0 ? 'status command passed' : `status command exited ${output.exitCode}`,
        output,
      };
    },
  };
}
