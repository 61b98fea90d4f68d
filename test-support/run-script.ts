/** Runs one of the project's command-line scripts the way a person would, capturing its output. */
import { spawn } from 'node:child_process';

export interface ScriptResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runScript(
  script: string,
  args: string[],
  options: {
    env: Record<string, string>;
    stdin?: string;
    /** False: exactly `env`, nothing of this process's environment (the CLI must do without DATABASE_URL). */
    inheritEnvironment?: boolean;
  },
): Promise<ScriptResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      env: (options.inheritEnvironment === false
        ? options.env
        : { ...process.env, ...options.env }) as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.stdin.end(options.stdin ?? '');
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
