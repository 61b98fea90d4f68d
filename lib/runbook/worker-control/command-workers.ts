/**
 * Worker control of a real deployment through commands from the environment:
 *   CUTOVER_WORKER_DEPLOY_CMD   run with WORKER_MODE=legacy|dual|final in its environment
 *   CUTOVER_WORKER_RESTART_CMD  restarts tick-factory and aggregator
 *   CUTOVER_WORKER_STATUS_CMD   exits 0 when healthy; may print `mode=<mode>` on a line
 *   CUTOVER_WORKER_TIMEOUT_SECONDS (default 300)
 * Output is captured (bounded) into the phase log; a command that times out is killed.
 */
import { spawn } from 'node:child_process';
import { redactCredentialsInText } from '../../auth/audit';
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
  const deployCommand = env.CUTOVER_WORKER_DEPLOY_CMD;
  if (!deployCommand) return null;
  const timeoutSeconds = Number(env.CUTOVER_WORKER_TIMEOUT_SECONDS ?? '300');
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    throw new Error('CUTOVER_WORKER_TIMEOUT_SECONDS must be a positive number');
  }
  return {
    deployCommand,
    restartCommand: env.CUTOVER_WORKER_RESTART_CMD ?? null,
    statusCommand: env.CUTOVER_WORKER_STATUS_CMD ?? null,
    timeoutMs: timeoutSeconds * 1000,
  };
}

export function runWorkerCommand(
  command: string,
  extraEnv: Record<string, string>,
  timeoutMs: number,
): Promise<WorkerCommandOutput> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], {
      env: { ...process.env, ...extraEnv, DATABASE_URL: '' },
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
        command,
        exitCode,
        stdout: redactCredentialsInText(stdout),
        stderr: redactCredentialsInText(stderr),
        timedOut,
        durationMs: Date.now() - started,
      });
    });
  });
}

export function commandWorkerControl(config: CommandWorkerConfig): WorkerControl {
  const run = async (command: string, env: Record<string, string> = {}) => {
    const output = await runWorkerCommand(command, env, config.timeoutMs);
    if (output.timedOut) throw new Error(`Worker command timed out after ${config.timeoutMs / 1000} s: ${command}`);
    if (output.exitCode !== 0) {
      throw new Error(`Worker command failed (exit ${output.exitCode}): ${command}\n${output.stderr.slice(-2000)}`);
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
