/**
 * Building, starting and waiting for the console's server, shared by the launcher (`npm start`)
 * and the benchmark and system-test harness, which run the built console the same way: through
 * scripts/serve.ts (Next.js behind the front server that resolves client addresses), compiled to
 * JavaScript and run by plain `node` with the heap sizing below, never `next start` directly.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

export const NEXT_BIN = createRequire(import.meta.url).resolve('next/dist/bin/next');

const PROJECT_DIR = fileURLToPath(new URL('..', import.meta.url));
const SERVE_SCRIPT = fileURLToPath(new URL('./serve.ts', import.meta.url));
/** Inside node_modules, so the packages the bundle leaves out (next, zod…) resolve from the project's node_modules. */
export const COMPILED_SERVE_SCRIPT = join(PROJECT_DIR, 'node_modules/.cache/dxy-cutover/serve.mjs');

/**
 * V8's heap sizing for the built server (docs/architecture.md "Performance", Memory). What it keeps live is about
 * 40 MiB (48 MiB with its runner copying), but V8 grows a heap by a factor it derives from the heap's limit: with
 * the default limit (4 GiB on a machine with 16 GiB or more) the old generation may reach 4× what the last full
 * collection left, the young one 2 × 16 MiB, and a server polled without pause held some 200 MiB of garbage. A
 * 256 MiB old space (five times that live heap) makes the factor 1.3; 4 MiB semi-spaces cost more scavenges of
 * about a millisecond. Development's compiler may need far more, so `npm run dev` keeps V8's defaults.
 */
export const SERVER_V8_FLAGS = ['--max-old-space-size=256', '--max-semi-space-size=4'];

/**
 * scripts/serve.ts and the lib modules it imports, bundled by esbuild into one ES module that plain `node` runs:
 * the server then carries no tsx (its loader thread and the TypeScript it transforms cost the process ~55 MiB).
 * Rebuilt at every start (tens of ms), so it is never older than its sources; written under a temporary name
 * and renamed, so servers started at the same moment (the e2e workers) never read a half-written file.
 */
export function compileServerScript(): string {
  const result = buildSync({
    entryPoints: [SERVE_SCRIPT],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: COMPILED_SERVE_SCRIPT,
    write: false,
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error('esbuild produced no server script');
  mkdirSync(dirname(COMPILED_SERVE_SCRIPT), { recursive: true });
  const temporary = `${COMPILED_SERVE_SCRIPT}.${process.pid}.tmp`;
  writeFileSync(temporary, output.contents);
  renameSync(temporary, COMPILED_SERVE_SCRIPT);
  return COMPILED_SERVE_SCRIPT;
}

/**
 * Arguments for `node` that run the console's server (spawned with process.execPath, so signals reach it):
 * the heap sizing above (built server only) and scripts/serve.ts, compiled here.
 */
export function serverArgs(options: { dev: boolean; port: number; hostname: string }): string[] {
  return [
    ...(options.dev ? [] : SERVER_V8_FLAGS),
    compileServerScript(),
    '--dir',
    PROJECT_DIR,
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
