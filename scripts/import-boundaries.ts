/**
 * The layers of docs/architecture.md ("The parts and which may use which") as data, and the
 * check that every import in the tree follows them. `npm run lint` runs it (via
 * scripts/check-import-boundaries.ts); a wrong arrow fails the build with the file and the import.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import ts from 'typescript';

/**
 * Each part and the parts it may import (its own part is always allowed). Tests (`*.test.ts`,
 * `*.spec.ts`) sit above everything, like the entry points: they compose whole worlds.
 */
export const ALLOWED_IMPORTS: Record<string, readonly string[]> = {
  app: [
    'components',
    'lib/server-actions',
    'lib/cli-api',
    'lib/client',
    'lib/runbook',
    'lib/monitor',
    'lib/market',
    'lib/auth',
    'lib/db',
    'lib/http',
    'lib/shared',
  ],
  components: [
    'lib/server-actions',
    'lib/client',
    'lib/runbook',
    'lib/monitor',
    'lib/market',
    'lib/auth',
    'lib/http',
    'lib/shared',
  ],
  // The server actions the client components call: thin adapters from a form to an action spec.
  'lib/server-actions': ['lib/runbook', 'lib/monitor', 'lib/market', 'lib/auth', 'lib/db', 'lib/http', 'lib/shared'],
  // The browser's data layer: fetchers, query options, mutation feedback (types from the read models).
  'lib/client': ['lib/runbook', 'lib/monitor', 'lib/market', 'lib/auth', 'lib/http', 'lib/shared'],
  // The CLI's HTTP API: request handlers over the same actions and read models as the pages.
  'lib/cli-api': ['lib/runbook', 'lib/monitor', 'lib/market', 'lib/auth', 'lib/db', 'lib/http', 'lib/shared'],
  'lib/runbook': ['lib/monitor', 'lib/market', 'lib/auth', 'lib/db', 'lib/http', 'lib/shared'],
  'lib/monitor': ['lib/market', 'lib/auth', 'lib/db', 'lib/http', 'lib/shared'],
  'lib/market': ['lib/db', 'lib/http', 'lib/shared'],
  'lib/auth': ['lib/db', 'lib/http', 'lib/shared'],
  'lib/db': ['lib/shared'],
  // The front server in front of Next.js (client address); only the launcher uses it.
  'lib/server': ['lib/auth', 'lib/http', 'lib/shared'],
  // HTTP facts every part may need (the public URL, security headers): a leaf over settings.
  'lib/http': ['lib/shared'],
  'lib/shared': [],
  // Entry points and test harnesses compose the parts; nothing in the parts may import them.
  scripts: ['*'],
  bench: ['*'],
  'test-support': ['*'],
  e2e: ['*'],
  root: ['*'],
};

/** Files directly in lib/ are leaves every part may use: settings, formatting, JSON helpers. */
export function partOf(path: string): string {
  const parts = normalize(path).split('/');
  const [top, second] = parts;
  if (top === 'lib') return parts.length === 2 ? 'lib/shared' : `lib/${second}`;
  if (top && top in ALLOWED_IMPORTS) return top;
  return 'root';
}

export interface BoundaryViolation {
  file: string;
  imports: string;
  from: string;
  to: string;
}

const SOURCE = /\.(ts|tsx)$/;
const SKIPPED_DIRS = new Set(['node_modules', '.next', '.git', 'drizzle', 'patches', 'public']);
const isTest = (file: string) => /\.(test|spec)\.tsx?$/.test(file);

function sourceFiles(root: string, dir = ''): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(join(root, dir))) {
    if (SKIPPED_DIRS.has(entry) || entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (statSync(join(root, path)).isDirectory()) files.push(...sourceFiles(root, path));
    else if (SOURCE.test(entry)) files.push(path);
  }
  return files;
}

/** The repository path an import names, or null for a package import. */
function resolveImport(file: string, specifier: string): string | null {
  if (specifier.startsWith('@/')) return normalize(specifier.slice(2));
  if (specifier.startsWith('.')) return normalize(join(dirname(file), specifier));
  return null;
}

function mayImport(from: string, to: string): boolean {
  if (from === to) return true;
  const allowed = ALLOWED_IMPORTS[from] ?? [];
  return allowed.includes('*') || allowed.includes(to);
}

/** Every import in the tree under `root` that points against the layers. */
export function findBoundaryViolations(root: string): BoundaryViolation[] {
  const violations: BoundaryViolation[] = [];
  for (const file of sourceFiles(root)) {
    if (isTest(file)) continue;
    const from = partOf(file);
    // preProcessFile sees static, type-only, re-export and dynamic imports alike.
    const { importedFiles } = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
    for (const { fileName } of importedFiles) {
      const target = resolveImport(file, fileName);
      if (target === null || target.startsWith('..')) continue;
      const to = partOf(target);
      if (!mayImport(from, to)) violations.push({ file, imports: fileName, from, to });
    }
  }
  return violations;
}
