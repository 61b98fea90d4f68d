import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findBoundaryViolations, partOf } from './import-boundaries';

describe('import boundaries', () => {
  let root: string | null = null;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
    root = null;
  });

  function tree(files: Record<string, string>): string {
    root = mkdtempSync(join(tmpdir(), 'boundaries-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  }

  it('names every import that points up the layers, whatever its form', () => {
    const violations = findBoundaryViolations(
      tree({
        'lib/db/queries.ts': "import { runPhase } from '../runbook/runner';\n",
        'lib/market/clock.ts': "export type { Session } from '../auth/sessions';\n",
        'lib/monitor/window.ts': "const state = await import('../runbook/run-state');\n",
        'components/button.tsx': "import { save } from '@/app/actions/save';\n",
        'lib/runbook/runner.ts': "import { window } from '../monitor/window';\nimport { sql } from '../db/queries';\n",
        'lib/runbook/runner.test.ts': "import { seed } from '../../scripts/seed';\n",
        'scripts/seed.ts': "import { runPhase } from '../lib/runbook/runner';\n",
      }),
    );
    expect(violations.map((v) => `${v.file} → ${v.to}`).sort()).toEqual([
      'components/button.tsx → app',
      'lib/db/queries.ts → lib/runbook',
      'lib/market/clock.ts → lib/auth',
      'lib/monitor/window.ts → lib/runbook',
    ]);
  });

  it('places files directly in lib/ among the leaves and everything else by its folder', () => {
    expect(partOf('lib/settings.ts')).toBe('lib/shared');
    expect(partOf('lib/runbook/phases/phase-1-preflight.ts')).toBe('lib/runbook');
    expect(partOf('app/(console)/page.tsx')).toBe('app');
    expect(partOf('proxy.ts')).toBe('root');
  });

  it('finds no import in this repository that points the wrong way', () => {
    expect(findBoundaryViolations(process.cwd())).toEqual([]);
  });
});
