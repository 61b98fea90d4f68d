/** Runs an installer or a browser with a time bound, keeping the tail of its output for an error line. */
import { spawn } from 'node:child_process';

/** Environment variables as the finder passes them around (tests hand it a few, not all of process.env). */
export type Environment = Record<string, string | undefined>;

export interface CommandResult {
  code: number | null;
  output: string;
  timedOut: boolean;
}

export function runCommand(
  command: string,
  args: string[],
  options: { timeoutMs: number; env?: Environment },
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let timedOut = false;
    const keep = (chunk: Buffer) => {
      // Only the tail matters for an error line; apt and npm can print a lot.
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, output: error.message, timedOut });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, timedOut });
    });
  });
}

export function lastLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .filter((l) => l.trim())
      .pop() ?? ''
  ).slice(0, 200);
}

/** The line that says what went wrong: the first that mentions an error, else the last. */
export function errorLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim());
  return (
    lines.find((l) => /error|fail|unable|denied|could not/i.test(l) && !l.startsWith('at ')) ?? lastLine(text)
  ).slice(0, 200);
}
