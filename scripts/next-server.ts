/**
 * Building, starting and waiting for the console's server, shared by the launcher (`npm start`)
 * and the benchmark and system-test harness, which run the built console the same way: through
 * scripts/serve.ts (Next.js behind the front server that resolves client addresses), never
 * `next start` directly.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NEXT_BIN = createRequire(import.meta.url).resolve('next/dist/bin/next');

const SERVE_SCRIPT = fileURLToPath(new URL('./serve.ts', import.meta.url));

/** Arguments for `node` that run the console's server (spawned with process.execPath, so signals reach it). */
export function serverArgs(options: { dev: boolean; port: number; hostname: string }): string[] {
  return [
    '--import',
    'tsx',
    SERVE_SCRIPT,
    ...(options.dev ? ['--dev'] : []),
    '--port',
    String(options.port),
    '--hostname',
    options.hostname,
  ];
}

const SOURCES = [
  'app',
  'components',
  'lib',
  'public',
  'instrumentation.ts',
  'proxy.ts',
  'next.config.js',
  'package.json',
  'postcss.config.mjs',
];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, entry) => Math.max(newest, newestMtime(join(path, entry))), stat.mtimeMs);
}

/** Runs `next build` when a source file is newer than the last build. */
export function buildIfNeeded(say: (line: string) => void): void {
  const buildId = '.next/BUILD_ID';
  const builtAt = existsSync(buildId) ? statSync(buildId).mtimeMs : 0;
  const changedAt = Math.max(...SOURCES.map(newestMtime));
  if (builtAt >= changedAt) return;
  say(builtAt ? 'Sources changed since the last build; building…' : 'No build yet; building (about a minute)…');
  const result = spawnSync(process.execPath, [NEXT_BIN, 'build'], {
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (result.status !== 0) throw new Error('next build failed');
}

/** True once GET /api/health answers 200, false after the timeout or once `gaveUp()` says so (the server exited). */
export async function waitForHealth(
  url: string,
  timeoutMs: number,
  gaveUp: () => boolean = () => false,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !gaveUp()) {
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return false;
}
