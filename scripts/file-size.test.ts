/**
 * No source file in lib/ over 400 lines (one job per file: docs/architecture.md "The parts and which may use
 * which"). Counted as `wc -l` counts (newlines), over every `.ts`/`.tsx` file under lib/ except tests. The same check
 * runs on a small tree written for the purpose, so it is seen to name a file one line over the limit, at any depth,
 * and to pass one at the limit and a long test file.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const REPOSITORY = resolve(import.meta.dirname, '..');
const MAX_LINES = 400;

/** Every non-test source file under `root`/lib with more than MAX_LINES lines, as `path (lines)`, sorted. */
function oversizedLibFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (directory: string) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.tsx?$/.test(entry.name) && !/\.test\./.test(entry.name)) {
        const lines = readFileSync(path, 'utf8').split('\n').length - 1;
        if (lines > MAX_LINES) found.push(`${relative(root, path)} (${lines})`);
      }
    }
  };
  walk(join(root, 'lib'));
  return found.sort();
}

describe(`no file in lib/ over ${MAX_LINES} lines`, () => {
  let root: string | null = null;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
    root = null;
  });

  it('holds for the repository', () => {
    expect(oversizedLibFiles(REPOSITORY), `split these along their seams (one job per file)`).toEqual([]);
  });

  it('names a deliberately long file, at any depth, and passes one at the limit and any test file', () => {
    root = mkdtempSync(join(tmpdir(), 'file-size-'));
    const lines = (n: number) => 'export const x = 1;\n'.repeat(n);
    const files: Record<string, string> = {
      'lib/at-limit.ts': lines(MAX_LINES),
      'lib/one-over.ts': lines(MAX_LINES + 1),
      'lib/runbook/phases/deep/long-view.tsx': lines(MAX_LINES + 1),
      'lib/long.test.ts': lines(3 * MAX_LINES),
      'scripts/long-script.ts': lines(3 * MAX_LINES),
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    expect(oversizedLibFiles(root)).toEqual(['lib/one-over.ts (401)', 'lib/runbook/phases/deep/long-view.tsx (401)']);
  });
});
