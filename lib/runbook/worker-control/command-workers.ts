/**
 * Worker control of a real deployment through commands from the environment:
 *   CUTOVER_WORKER_DEPLOY_CMD   run with WORKER_MODE=legacy|dual|final in its environment
 *   CUTOVER_WORKER_RESTART_CMD  restarts tick-factory and aggregator
 *   CUTOVER_WORKER_STATUS_CMD   exits 0 when healthy; may print `mode=<mode>` on a line
 *   CUTOVER_WORKER_TIMEOUT_SECONDS (default 300)
 * Output is captured (bounded) into the runner log only (./worker-output-store.ts): the phase log,
 * errors, the report and ops_runlog get a summary (./captured-output.ts); a command that times out is killed.
 * A command sees an explicit environment — PATH, HOME, WORKER_MODE and the variables named in
 * CUTOVER_WORKER_ENV — never the console's own (its database URL, tokens, the webhook URL), and
 * every configured secret value is redacted from its command line and output before they are
 * stored, as is anything in them that looks like a credential (docs/operations.md, "Worker control").
 */
import { spawn } from 'node:child_process';
import { redactCredentialsInText } from '../../auth/audit';
import { readSetting, SETTINGS, type SettingName } from '../../settings';
import {
  CapturedWorkerOutput,
  describeWorkerCommand,
  WorkerCommandFailed,
  type WorkerCommandKind,
  type WorkerCommandSummary,
} from './captured-output';
import type { WorkerControl, WorkerMode } from './worker-control';
import { saveWorkerOutput } from './worker-output-store';

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

/** `password=…`, `API_TOKEN: "…"`, `--secret …`: a value after a name that says secret, in any text. */
const SECRET_WORD = String.raw`[\w-]*(?:pass(?:word|wd)?|secret|token|api[_-]?key|private[_-]?key|credentials?)[\w-]*`;
const SECRET_ASSIGNMENT = new RegExp(
  String.raw`(\b${SECRET_WORD}["']?\s*[=:]\s*["']?|(?:^|\s)--${SECRET_WORD}\s+["']?)[^\s"',;&]+`,
  'gi',
);
/** Credentials in any URL (https://user:pass@host), beyond the connection strings the audit log redacts. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:)[^@\s]+@/gi;

export function redactSecretValues(text: string, secrets: readonly string[]): string {
  let redacted = text;
  for (const secret of secrets) redacted = redacted.split(secret).join('[redacted]');
  return redactCredentialsInText(redacted)
    .replace(URL_CREDENTIALS, '$1***@')
    .replace(/\b(bearer\s+)[\w.~+/-]+=*/gi, '$1[redacted]')
    .replace(SECRET_ASSIGNMENT, (whole, prefix: string) =>
      /\[redacted\]$|\*\*\*@/.test(whole) ? whole : `${prefix}[redacted]`,
    );
}

export function runWorkerCommand(
  command: string,
  extraEnv: Record<string, string>,
  timeoutMs: number,
  env: Record<string, string | undefined> = process.env,
): Promise<CapturedWorkerOutput> {
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
      resolve(
        new CapturedWorkerOutput(
          {
            command: redactSecretValues(command, secrets),
            stdout: redactSecretValues(stdout, secrets),
            stderr: redactSecretValues(stderr, secrets),
          },
          { exitCode, timedOut, durationMs: Date.now() - started },
        ),
      );
    });
  });
}

/**
 * Keeps a finished command's text in the runner log and returns what everyone else may see of it. The
 * runner's console gets one line naming the reference (its stdout is often shipped to shared logs).
 */
export function keepWorkerOutput(
  kind: WorkerCommandKind,
  output: CapturedWorkerOutput,
  log: (line: string) => void = (line) => console.log(`[runner] ${line}`),
): WorkerCommandSummary {
  const outputRef = saveWorkerOutput(kind, output);
  const summary: WorkerCommandSummary = {
    kind,
    exitCode: output.exitCode,
    timedOut: output.timedOut,
    durationMs: output.durationMs,
    outputRef,
  };
  log(
    `${describeWorkerCommand(summary)} in ${(output.durationMs / 1000).toFixed(1)} s; ` +
      (outputRef ? `command line and output in the runner log as ${outputRef}` : 'its output could not be kept'),
  );
  return summary;
}

export function commandWorkerControl(
  config: CommandWorkerConfig,
  options: { log?: (line: string) => void } = {},
): WorkerControl {
  const run = async (kind: WorkerCommandKind, command: string, env: Record<string, string> = {}) => {
    const summary = keepWorkerOutput(kind, await runWorkerCommand(command, env, config.timeoutMs), options.log);
    // The error says how it ended and where the transcript is; never the command line or what it printed.
    if (summary.timedOut || summary.exitCode !== 0) throw new WorkerCommandFailed(summary, config.timeoutMs);
    return summary;
  };
  return {
    kind: 'command',
    deploy: (mode: WorkerMode) => run('deploy', config.deployCommand, { WORKER_MODE: mode }),
    restart: async () => (config.restartCommand ? run('restart', config.restartCommand) : null),
    async status() {
      if (!config.statusCommand)
        return { mode: null, healthy: true, detail: 'no CUTOVER_WORKER_STATUS_CMD configured' };
      const captured = await runWorkerCommand(config.statusCommand, {}, config.timeoutMs);
      // The mode line is read here, inside worker control; the rest of the output goes to the runner log
      // when it explains a problem (a failed status, no mode line) — a healthy status is asked often.
      const match = /^mode=(legacy|dual|final)\s*$/m.exec(captured.reveal().stdout);
      const passed = captured.exitCode === 0 && !captured.timedOut;
      const output: WorkerCommandSummary =
        passed && match
          ? { kind: 'status', ...captured.toJSON(), outputRef: null }
          : keepWorkerOutput('status', captured, options.log);
      return {
        mode: (match?.[1] as WorkerMode | undefined) ?? null,
        healthy: passed,
        detail: passed ? 'status command passed' : describeWorkerCommand(output),
        output,
      };
    },
  };
}
