/**
 * `npm run lint`'s import check (dependency-cruiser with .dependency-cruiser.cjs, docs/architecture.md "The parts"):
 * run as lint runs it, on small trees written for the purpose, it must name every circle and every wrong-way arrow.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const REPOSITORY = resolve(import.meta.dirname, '..');
const CONFIG = join(REPOSITORY, '.dependency-cruiser.cjs');
const CRUISER = join(REPOSITORY, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const run = promisify(execFile);

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
  cycle?: { name: string }[];
}

/** What lint's cruise (`depcruise --config .dependency-cruiser.cjs .`, the 'err' report) prints in `cwd`, and its exit code. */
async function lint(cwd: string): Promise<{ exitCode: number; output: string }> {
  try {
    const { stdout } = await run(process.execPath, [CRUISER, '--config', CONFIG, '.'], { cwd });
    return { exitCode: 0, output: stdout };
  } catch (error) {
    // The cruiser exits with the number of errors it found; its report is still on stdout.
    const failed = error as { code?: unknown; stdout?: unknown };
    if (typeof failed.code !== 'number' || typeof failed.stdout !== 'string') throw error;
    return { exitCode: failed.code, output: failed.stdout };
  }
}

/** The same cruise's findings as data (the JSON report, which always exits 0). */
async function findings(cwd: string): Promise<Violation[]> {
  const { stdout } = await run(process.execPath, [CRUISER, '--config', CONFIG, '--output-type', 'json', '.'], {
    cwd,
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(stdout).summary.violations;
}

const arrow = (v: Violation) => `${v.rule.name}: ${v.from} → ${v.to}`;

describe('import rules (dependency-cruiser)', () => {
  let root: string | null = null;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
    root = null;
  });

  /** A repository-shaped tree: the files given, and a tsconfig.json with the `@/` alias the console uses. */
  function tree(files: Record<string, string>): string {
    root = mkdtempSync(join(tmpdir(), 'dependency-rules-'));
    const withConfig = {
      'tsconfig.json': JSON.stringify({
        compilerOptions: { module: 'esnext', moduleResolution: 'bundler', paths: { '@/*': ['./*'] } },
      }),
      ...files,
    };
    for (const [path, text] of Object.entries(withConfig)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  }

  it('fails on two files that import each other, on a circle made of type-only imports, and on one in a harness', async () => {
    const root = tree({
      'lib/runbook/runner.ts': "import { step } from './steps';\nexport const run = () => step();\n",
      'lib/runbook/steps.ts': "import { run } from './runner';\nexport const step = () => run;\n",
      'lib/runbook/run-state.ts': "import type { Verdict } from './types';\nexport type Row = { verdict: Verdict };\n",
      'lib/runbook/types.ts': "import type { Row } from './run-state';\nexport type Verdict = { row: Row };\n",
      'lib/runbook/plain.ts': "import { run } from './runner';\nexport const again = run;\n",
      // Harnesses too: they may import any part, but not go round in a circle.
      'bench/route-access.ts':
        "import { headers } from './https-headers';\nexport type Row = string;\nexport const r = headers;\n",
      'bench/https-headers.ts': "import type { Row } from './route-access';\nexport const headers: Row[] = [];\n",
    });
    const linted = await lint(root);
    expect(linted.exitCode).toBe(3);
    expect(linted.output).toContain('error no-circular: lib/runbook/runner.ts');
    expect(linted.output).toContain('error no-circular: lib/runbook/run-state.ts');
    // One finding per circle, each with the way round it.
    const circles = (await findings(root)).filter((v) => v.rule.name === 'no-circular');
    expect(circles.map((v) => [v.from, ...(v.cycle ?? []).map((m) => m.name)]).sort()).toEqual([
      ['bench/https-headers.ts', 'bench/route-access.ts', 'bench/https-headers.ts'],
      ['lib/runbook/run-state.ts', 'lib/runbook/types.ts', 'lib/runbook/run-state.ts'],
      ['lib/runbook/runner.ts', 'lib/runbook/steps.ts', 'lib/runbook/runner.ts'],
    ]);
  });

  it('names every import that points up the layers, whatever its form, and lets the allowed ones pass', async () => {
    const root = tree({
      'lib/settings.ts': 'export const port = 1;\n',
      'lib/db/queries.ts':
        "import { readFileSync } from 'node:fs';\nimport postgres from 'postgres';\nimport { runPhase } from '../runbook/runner';\nimport { port } from '../settings';\n",
      'lib/auth/sessions.ts': 'export type Session = { id: number };\n',
      'lib/market/clock.ts': "export type { Session } from '../auth/sessions';\n",
      'lib/monitor/window.ts': "export const window = 1;\nexport const state = () => import('../runbook/run-state');\n",
      'lib/http/url.ts': "import { proxy } from '../../proxy';\nexport const url = proxy;\n",
      'app/actions/save.ts': 'export const save = () => 1;\n',
      'components/button.tsx': "import { save } from '@/app/actions/save';\nexport const Button = save;\n",
      'lib/runbook/run-state.ts': 'export const state = 1;\n',
      'lib/runbook/runner.ts':
        "import { window } from '../monitor/window';\nimport { sql } from '../db/queries';\nexport const runPhase = [window, sql];\n",
      'lib/runbook/runner.test.ts': "import { seed } from '../../scripts/seed';\nexport const t = seed;\n",
      'scripts/seed.ts': "import { runPhase } from '../lib/runbook/runner';\nexport const seed = runPhase;\n",
      'proxy.ts': "import { url } from './lib/http/url';\nexport const proxy = 1;\nexport const u = () => url;\n",
    });
    const linted = await lint(root);
    expect(linted.exitCode).not.toBe(0);
    expect(linted.output).toContain('error layers: lib/db: lib/db/queries.ts → lib/runbook/runner.ts');
    expect(
      (await findings(root))
        .filter((v) => v.rule.name.startsWith('layers:'))
        .map(arrow)
        .sort(),
    ).toEqual([
      'layers: components: components/button.tsx → app/actions/save.ts',
      'layers: lib/db: lib/db/queries.ts → lib/runbook/runner.ts',
      'layers: lib/http: lib/http/url.ts → proxy.ts',
      'layers: lib/market: lib/market/clock.ts → lib/auth/sessions.ts',
      'layers: lib/monitor: lib/monitor/window.ts → lib/runbook/run-state.ts',
    ]);
  });

  it('passes a tree whose arrows all point down and close no circle', async () => {
    const root = tree({
      'lib/settings.ts': 'export const port = 1;\n',
      'lib/db/queries.ts': "import { port } from '../settings';\nexport const sql = port;\n",
      'lib/runbook/runner.ts': "import { sql } from '../db/queries';\nexport const run = sql;\n",
      'app/page.tsx': "import { run } from '@/lib/runbook/runner';\nexport default run;\n",
    });
    expect(await lint(root)).toEqual({
      exitCode: 0,
      output: expect.stringContaining('no dependency violations found'),
    });
    expect(await findings(root)).toEqual([]);
  });

  it("names an import between the runbook's rooms that the rooms do not allow, and lets the wiring file pass", async () => {
    const root = tree({
      'lib/runbook/engine/runner.ts': "import { PHASES } from '../phases/index';\nexport const run = PHASES;\n",
      'lib/runbook/phases/index.ts': "import type { Row } from '../engine/types';\nexport const PHASES: Row[] = [];\n",
      'lib/runbook/engine/types.ts': 'export type Row = { id: number };\n',
      'lib/runbook/phases/shared/backup.ts': "import { read } from '../../read/status';\nexport const backup = read;\n",
      'lib/runbook/read/status.ts': "import type { Row } from '../engine/types';\nexport const read = (r: Row) => r;\n",
      'lib/runbook/runbook-runner.ts':
        "import type { Row } from './engine/types';\nimport { PHASES } from './phases/index';\nexport const wired: Row[] = PHASES;\n",
    });
    expect(
      (await findings(root))
        .filter((v) => v.rule.name.startsWith('rooms:'))
        .map(arrow)
        .sort(),
    ).toEqual([
      'rooms: lib/runbook/engine: lib/runbook/engine/runner.ts → lib/runbook/phases/index.ts',
      'rooms: lib/runbook/phases: lib/runbook/phases/shared/backup.ts → lib/runbook/read/status.ts',
    ]);
  });

  it('finds no circle and no wrong-way import in this repository', async () => {
    const linted = await lint(REPOSITORY);
    expect(linted.output).toContain('no dependency violations found');
    expect(linted.exitCode).toBe(0);
  });
});
