/**
 * A console server started by a harness — the benchmark's scratch console, the system tests' two
 * consoles, the e2e worlds — exactly as `npm start` runs it (serverArgs), with everything it prints
 * kept for the error that names why it did not answer, and stopped the way an operator's Ctrl-C would,
 * then forcibly. One place, so the three harnesses start and stop the same console.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { serverArgs, waitForHealth } from './next-server';

type Env = Record<string, string | undefined>;

/** A node process with `args`, its stdout and stderr appended to `sink`. */
export function spawnCaptured(args: string[], options: { env: Env; sink: string[]; cwd?: string }): ChildProcess {
  const child = spawn(process.execPath, args, {
    ...(options.cwd ? { cwd: options.cwd } : {}),
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => options.sink.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => options.sink.push(chunk.toString()));
  return child;
}

/**
 * SIGTERM (the server finishes requests in flight and stops its runner), then SIGKILL after 10 s;
 * resolves once the process has exited (at once when it had).
 */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export interface ConsoleServer {
  process: ChildProcess;
  baseUrl: string;
  /** Everything it printed so far. */
  output(): string;
}

/** The built console on 127.0.0.1:`port` with `env` over this process's environment; not yet awaited. */
export function spawnConsoleServer(options: { port: number; env: Env; sink?: string[]; cwd?: string }): ConsoleServer {
  const sink = options.sink ?? [];
  const child = spawnCaptured(serverArgs({ dev: false, port: options.port, hostname: '127.0.0.1' }), {
    env: { NEXT_TELEMETRY_DISABLED: '1', ...options.env },
    sink,
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  return { process: child, baseUrl: `http://127.0.0.1:${options.port}`, output: () => sink.join('') };
}

/** Whether the console answered its health check within `timeoutMs` (false at once if it exited). */
export function consoleAnswers(server: ConsoleServer, timeoutMs: number): Promise<boolean> {
  return waitForHealth(server.baseUrl, timeoutMs, () => server.process.exitCode !== null);
}
