import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMPILED_SERVE_SCRIPT, SERVER_V8_FLAGS, serverArgs } from './next-server';

const PROJECT_DIR = fileURLToPath(new URL('..', import.meta.url));

/** The environment of a launcher that runs no TypeScript loader of its own. */
function plainEnvironment(): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _ignored, ...rest } = process.env;
  return rest;
}

describe('serverArgs', () => {
  it('runs scripts/serve.ts compiled, with plain node and the heap sizing, from the project directory', () => {
    const args = serverArgs({ dev: false, port: 3999, hostname: '127.0.0.1' });
    expect(args.slice(0, SERVER_V8_FLAGS.length)).toEqual(SERVER_V8_FLAGS);
    expect(args[SERVER_V8_FLAGS.length]).toBe(COMPILED_SERVE_SCRIPT);
    expect(args).not.toContain('tsx');
    expect(args).not.toContain('--import');
    expect(args.slice(SERVER_V8_FLAGS.length + 1)).toEqual([
      '--dir',
      PROJECT_DIR,
      '--port',
      '3999',
      '--hostname',
      '127.0.0.1',
    ]);
    // The compiled script is today's scripts/serve.ts (compiled by this very call), not an older copy.
    expect(readFileSync(COMPILED_SERVE_SCRIPT, 'utf8')).toContain('// scripts/serve.ts');
  });

  it('starts a script that plain node runs: its settings load and its arguments are checked', () => {
    // A port out of range: serve.ts has loaded the settings (zod, from the project's node_modules) and parsed its
    // arguments when it refuses it, before Next.js starts. A TypeScript import left in the bundle, or a package
    // that does not resolve from where the compiled file lives, would fail with another message.
    const result = spawnSync(process.execPath, serverArgs({ dev: false, port: 70_000, hostname: '127.0.0.1' }), {
      env: plainEnvironment(),
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.stderr).toContain('--port must be a whole number 1–65535, not "70000"');
    expect(result.status).toBe(2);
  });

  it("leaves V8's defaults to development, whose compiler may need a larger heap", () => {
    const args = serverArgs({ dev: true, port: 3999, hostname: '127.0.0.1' });
    expect(args[0]).toBe(COMPILED_SERVE_SCRIPT);
    expect(args).toContain('--dev');
    for (const flag of SERVER_V8_FLAGS) expect(args).not.toContain(flag);
  });
});
