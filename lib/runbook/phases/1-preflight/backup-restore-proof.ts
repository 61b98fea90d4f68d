/**
 * Phase 1's proof that its backup is restorable (docs/phases.md, phase 1): everything the backup
 * holds is restored into a scratch schema inside a transaction that is always rolled back — the
 * copied DXY rows of both bar tables into tables shaped like the live ones, the registry row and
 * cursors, the constraint and index definitions on the restored tables, the function definitions
 * re-created from their saved `pg_get_functiondef` text — and diffed against the live source by key
 * and value. A copy compared with the SELECT that made it, in the same snapshot, proves nothing;
 * this fails when anything differs or cannot be restored, naming what.
 */
import type { Sql, TransactionSql } from 'postgres';
import type { Check } from '../../engine/verification';
import type { ConstraintBackup, FunctionBackup, StoredBackup, TableBackup } from '../shared/backup';

const SAMPLES = 5;

/** Thrown to roll the scratch transaction back with its result. */
class RolledBack extends Error {
  constructor(readonly checks: Check[]) {
    super('restore check rolled back');
  }
}

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function bare(name: string): string {
  return name.replace(/^public\./, '').replace(/^"(.*)"$/, '$1');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs `work` in a savepoint: a failure becomes its message instead of aborting the whole check. */
async function attempt<T>(
  tx: TransactionSql,
  work: (sp: TransactionSql) => Promise<T>,
): Promise<T | { error: string }> {
  try {
    // postgres.js types a savepoint's result as an unwrapped promise array; `work` returns plain values.
    return (await tx.savepoint((sp) => work(sp))) as T;
  } catch (error) {
    return { error: messageOf(error) };
  }
}

function failed(value: unknown): value is { error: string } {
  return typeof value === 'object' && value !== null && 'error' in value;
}

async function columnsOf(tx: TransactionSql, schema: string, table: string): Promise<string[]> {
  const rows = await tx<{ column_name: string }[]>`
    select column_name from information_schema.columns
     where table_schema = ${schema} and table_name = ${table} order by ordinal_position`;
  return rows.map((r) => r.column_name);
}

interface RowSample {
  kind: 'missing' | 'differs' | 'extra';
  id: string;
  timeframe: string | null;
  ts_utc: string | null;
  columns: Record<string, [unknown, unknown]> | null;
}

interface TableDiff {
  live: number;
  restored: number;
  missing: number;
  differs: number;
  extra: number;
  /** Live rows changed since the backup was taken (updated_at later): not compared. */
  changed: number;
  samples: RowSample[];
}

function describeSample(sample: RowSample): string {
  const at = `id ${sample.id}${sample.timeframe ? ` ${sample.timeframe}` : ''}${sample.ts_utc ? ` at ${sample.ts_utc}` : ''}`;
  if (sample.kind === 'missing') return `${at} missing from the restored backup`;
  if (sample.kind === 'extra') return `${at} restored but not in the live table`;
  const columns = Object.entries(sample.columns ?? {})
    .map(([column, [live, restored]]) => `${column} ${JSON.stringify(live)} live, ${JSON.stringify(restored)} restored`)
    .join(', ');
  return `${at} differs (${columns})`;
}

/**
 * Restores one backed-up table into the scratch schema and diffs it with the live DXY rows the
 * backup's snapshot held (ids up to the largest it copied: rows the live pipeline added since are
 * not the backup's), row by row on every column, both ways.
 */
async function restoreTable(tx: TransactionSql, scratch: string, table: TableBackup): Promise<Check> {
  const name = bare(table.source);
  const copy = table.copy.replace(/^cutover\./, '');
  const checkName = `Backup of ${table.source} restores and matches the live rows by key and value`;
  const result = await attempt(tx, async (sp) => {
    const live = await columnsOf(sp, 'public', name);
    const saved = new Set(await columnsOf(sp, 'cutover', copy));
    if (saved.size === 0) throw new Error(`the backup copy ${table.copy} does not exist`);
    const columns = live.filter((c) => saved.has(c));
    for (const key of ['id', 'timeframe', 'ts_utc'])
      if (!columns.includes(key)) throw new Error(`${table.copy} has no ${key} column to compare by`);
    const list = columns.map(ident).join(', ');
    await sp.unsafe(`CREATE TABLE ${scratch}.${ident(name)} (LIKE public.${ident(name)} INCLUDING DEFAULTS)`);
    await sp.unsafe(`INSERT INTO ${scratch}.${ident(name)} (${list}) SELECT ${list} FROM cutover.${ident(copy)}`);
    const maxId =
      table.maxId ??
      (await sp.unsafe<{ max: string | null }[]>(`SELECT max(id)::text AS max FROM cutover.${ident(copy)}`))[0]?.max ??
      '0';
    // A live row changed after the backup (updated_at later than it was taken, on tables that keep
    // updated_at) cannot match it: counted apart, not as a difference.
    const changedSince = columns.includes('updated_at')
      ? '($2::timestamptz IS NOT NULL AND l.updated_at > $2::timestamptz)'
      : '($2::timestamptz IS NOT NULL AND false)';
    const timeframe = 'timeframe';
    const ts = 'ts_utc';
    const sampleOf = (kind: RowSample['kind'], alias: string) =>
      `jsonb_build_object('kind', '${kind}', 'id', ${alias}.id::text, 'timeframe', ${alias}.${timeframe},
                          'ts_utc', to_char(${alias}.${ts} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'columns', NULL)`;
    const [diff] = await sp.unsafe<TableDiff[]>(
      `WITH live AS (SELECT ${list} FROM public.${ident(name)} WHERE canonical_symbol = 'DXY' AND id <= $1::bigint),
            restored AS (SELECT ${list} FROM ${scratch}.${ident(name)}),
            only_live AS (SELECT * FROM live EXCEPT ALL SELECT * FROM restored),
            only_restored AS (SELECT * FROM restored EXCEPT ALL SELECT * FROM live),
            missing AS (SELECT * FROM only_live l WHERE NOT EXISTS (SELECT 1 FROM only_restored r WHERE r.id = l.id)),
            extra AS (SELECT * FROM only_restored r WHERE NOT EXISTS (SELECT 1 FROM only_live l WHERE l.id = r.id)),
            differs AS (
              SELECT l.id, l.${timeframe} AS timeframe, l.${ts} AS ts_utc,
                     (SELECT jsonb_object_agg(e.key, jsonb_build_array(e.value, to_jsonb(r) -> e.key))
                        FROM jsonb_each(to_jsonb(l)) e WHERE (to_jsonb(r) -> e.key) IS DISTINCT FROM e.value) AS columns
                FROM only_live l JOIN only_restored r ON r.id = l.id WHERE NOT ${changedSince}),
            changed AS (SELECT l.id FROM only_live l JOIN only_restored r ON r.id = l.id WHERE ${changedSince})
       SELECT (SELECT count(*) FROM live) AS live,
              (SELECT count(*) FROM changed) AS changed,
              (SELECT count(*) FROM restored) AS restored,
              (SELECT count(*) FROM missing) AS missing,
              (SELECT count(*) FROM differs) AS differs,
              (SELECT count(*) FROM extra) AS extra,
              coalesce((SELECT jsonb_agg(s) FROM (
                (SELECT ${sampleOf('missing', 'm')} AS s FROM missing m ORDER BY m.id LIMIT ${SAMPLES})
                UNION ALL
                (SELECT jsonb_build_object('kind', 'differs', 'id', d.id::text, 'timeframe', d.timeframe,
                          'ts_utc', to_char(d.ts_utc AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'columns', d.columns)
                   FROM differs d ORDER BY d.id LIMIT ${SAMPLES})
                UNION ALL
                (SELECT ${sampleOf('extra', 'x')} FROM extra x ORDER BY x.id LIMIT ${SAMPLES})) k), '[]'::jsonb) AS samples`,
      [maxId, table.takenAt ?? null],
    );
    return { diff: diff as TableDiff, maxId };
  });
  if (failed(result)) {
    return { name: checkName, passed: false, detail: `cannot be restored: ${result.error}`, evidence: table };
  }
  const { diff, maxId } = result;
  const passed = diff.missing === 0 && diff.differs === 0 && diff.extra === 0 && diff.restored === table.rows;
  return {
    name: checkName,
    passed,
    detail:
      `${diff.restored} rows restored from ${table.copy} (${table.rows} recorded when it was taken); ` +
      `${diff.live} live DXY rows up to id ${maxId}: ${diff.missing} missing from the backup, ${diff.differs} differ, ` +
      `${diff.extra} not in the live table` +
      (diff.changed > 0
        ? `; ${diff.changed} changed since the backup was taken at ${table.takenAt} (not compared)`
        : '') +
      (diff.samples.length > 0 ? ` — ${diff.samples.map(describeSample).join('; ')}` : ''),
    evidence: { ...table, maxId, ...diff },
  };
}

/** The saved registry row and cursors, restored through jsonb_populate_record into tables shaped like the live ones. */
async function restoreRegistryAndCursors(tx: TransactionSql, scratch: string, backup: StoredBackup): Promise<Check> {
  const checkName = 'Backup of the DXY registry row and cursors restores and matches';
  const result = await attempt(tx, async (sp) => {
    const problems: string[] = [];
    const restore = async (table: string, row: Record<string, unknown>) => {
      const [restored] = await sp.unsafe<{ row: Record<string, unknown>; unknown_keys: string[] | null }[]>(
        `WITH r AS (INSERT INTO ${scratch}.${table} SELECT * FROM jsonb_populate_record(NULL::${scratch}.${table}, $1::text::jsonb) RETURNING *)
         SELECT to_jsonb(r) AS row,
                (SELECT array_agg(k) FROM jsonb_object_keys($1::text::jsonb) k WHERE NOT (to_jsonb(r) ? k)) AS unknown_keys FROM r`,
        [JSON.stringify(row)],
      );
      if (restored?.unknown_keys?.length)
        problems.push(`${table}: saved columns ${restored.unknown_keys.join(', ')} have nowhere to go`);
      return restored?.row ?? null;
    };
    await sp.unsafe(
      `CREATE TABLE ${scratch}.core_asset_registry_all (LIKE public.core_asset_registry_all INCLUDING DEFAULTS)`,
    );
    await sp.unsafe(`CREATE TABLE ${scratch}.data_agg_state (LIKE public.data_agg_state INCLUDING DEFAULTS)`);
    if (!backup.registryRow) problems.push('no registry row saved');
    else {
      await restore('core_asset_registry_all', backup.registryRow);
      // The registry row does not move before phase 5: every column must match the live one.
      const [diff] = await sp.unsafe<{ columns: string[] | null }[]>(
        `SELECT (SELECT array_agg(e.key ORDER BY e.key) FROM jsonb_each(to_jsonb(r)) e
                  WHERE (to_jsonb(l) -> e.key) IS DISTINCT FROM e.value) AS columns
           FROM ${scratch}.core_asset_registry_all r
           LEFT JOIN public.core_asset_registry_all l ON l.canonical_symbol = r.canonical_symbol`,
      );
      if (diff?.columns?.length) problems.push(`registry row differs from the live one in ${diff.columns.join(', ')}`);
    }
    for (const state of backup.aggState) await restore('data_agg_state', state);
    // Cursors move by design (the aggregator runs on): compared by key only.
    const [keys] = await sp.unsafe<{ missing: string[] | null; extra: string[] | null }[]>(
      `SELECT (SELECT array_agg(l.timeframe ORDER BY l.timeframe) FROM public.data_agg_state l WHERE l.canonical_symbol = 'DXY'
                 AND NOT EXISTS (SELECT 1 FROM ${scratch}.data_agg_state r WHERE r.canonical_symbol = l.canonical_symbol AND r.timeframe = l.timeframe)) AS missing,
              (SELECT array_agg(r.timeframe ORDER BY r.timeframe) FROM ${scratch}.data_agg_state r
                WHERE NOT EXISTS (SELECT 1 FROM public.data_agg_state l WHERE l.canonical_symbol = r.canonical_symbol AND l.timeframe = r.timeframe)) AS extra`,
    );
    if (keys?.missing?.length) problems.push(`cursors not in the backup: DXY ${keys.missing.join(', ')}`);
    if (keys?.extra?.length) problems.push(`cursors in the backup but not live: DXY ${keys.extra.join(', ')}`);
    return problems;
  });
  if (failed(result)) return { name: checkName, passed: false, detail: `cannot be restored: ${result.error}` };
  return {
    name: checkName,
    passed: result.length === 0,
    detail:
      result.length === 0
        ? `registry row restored, identical to the live one; ${backup.aggState.length} cursors restored`
        : result.join('; '),
  };
}

/** The saved constraint and index definitions, applied to the restored tables (rows validated as a restore would). */
async function restoreConstraints(
  tx: TransactionSql,
  scratch: string,
  constraints: ConstraintBackup[],
): Promise<Check> {
  const checkName = 'Saved constraint and index definitions re-create on the restored tables';
  const problems: string[] = [];
  const constraintNames = new Set(constraints.filter((c) => c.kind === 'constraint').map((c) => c.name));
  let applied = 0;
  for (const c of constraints) {
    const table = bare(c.table);
    if (c.kind === 'index' && constraintNames.has(c.name)) continue; // built by its constraint
    const result = await attempt(tx, async (sp) => {
      if (c.kind === 'constraint') {
        // A foreign key to the registry points at the restored registry, never at the live one (no lock on it).
        const definition = c.definition.replace(/REFERENCES\s+public\./, `REFERENCES ${scratch}.`);
        await sp.unsafe(`ALTER TABLE ${scratch}.${ident(table)} ADD CONSTRAINT ${ident(c.name)} ${definition}`);
        const [back] = await sp.unsafe<{ definition: string }[]>(
          `SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint
            WHERE conrelid = '${scratch}.${ident(table)}'::regclass AND conname = $1`,
          [c.name],
        );
        const recreated = (back?.definition ?? '').replace(`${scratch}.`, '');
        const saved = c.definition.replace(/REFERENCES\s+public\./, 'REFERENCES ');
        if (recreated !== saved) throw new Error(`re-created as "${recreated}", saved "${c.definition}"`);
      } else {
        const statement = c.definition.replace(/ ON (ONLY )?public\./, ` ON $1${scratch}.`);
        if (statement === c.definition) throw new Error(`not an index on a public table: ${c.definition}`);
        await sp.unsafe(statement);
        const [back] = await sp.unsafe<{ definition: string }[]>(
          `SELECT pg_get_indexdef(indexrelid) AS definition FROM pg_index WHERE indexrelid = '${scratch}.${ident(c.name)}'::regclass`,
        );
        const recreated = (back?.definition ?? '').replace(` ON ${scratch}.`, ' ON public.');
        if (recreated !== c.definition) throw new Error(`re-created as "${recreated}", saved "${c.definition}"`);
      }
    });
    if (failed(result)) problems.push(`${c.kind} ${c.name} on ${table}: ${result.error}`);
    else applied += 1;
  }
  return {
    name: checkName,
    passed: problems.length === 0 && applied > 0,
    detail:
      problems.length === 0
        ? applied > 0
          ? `${applied} constraints and indexes re-created on the restored rows`
          : 'no constraint or index definition saved'
        : problems.join('; '),
  };
}

const FUNCTION_HEADER = /^CREATE OR REPLACE FUNCTION public\./;

/**
 * Each saved definition executed into the scratch schema; pg_get_functiondef of what it created
 * must give the saved text back, and the saved text must be the live function's.
 */
async function recreateFunctions(tx: TransactionSql, scratch: string, functions: FunctionBackup[]): Promise<Check> {
  const checkName = 'Saved function definitions re-create identically';
  const live = await tx<{ signature: string; definition: string }[]>`
    select p.oid::regprocedure::text as signature, pg_get_functiondef(p.oid) as definition
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'public' and p.proname in ${tx([...new Set(functions.map((f) => f.name)), ''])}`;
  const problems: string[] = [];
  for (const f of functions) {
    const result = await attempt(tx, async (sp) => {
      if (!FUNCTION_HEADER.test(f.definition))
        throw new Error('the saved text does not start with CREATE OR REPLACE FUNCTION public.');
      await sp.unsafe(f.definition.replace(FUNCTION_HEADER, `CREATE FUNCTION ${scratch}.`));
      const candidates = await sp<{ signature: string; definition: string }[]>`
        select p.oid::regprocedure::text as signature, pg_get_functiondef(p.oid) as definition from pg_proc p
         where p.pronamespace = ${scratch}::regnamespace and p.proname = ${f.name}`;
      const created = candidates.find((c) => c.signature.replace(`${scratch}.`, '') === bare(f.signature));
      if (!created) throw new Error('nothing with the saved signature was created');
      const recreated = created.definition.replace(`FUNCTION ${scratch}.`, 'FUNCTION public.');
      if (recreated !== f.definition)
        throw new Error('pg_get_functiondef of the re-created function differs from the saved text');
    });
    if (failed(result)) {
      problems.push(`${f.signature} cannot be re-created: ${result.error}`);
      continue;
    }
    const now = live.find((l) => bare(l.signature) === bare(f.signature));
    if (!now) problems.push(`${f.signature} is no longer live`);
    else if (now.definition !== f.definition)
      problems.push(`${f.signature}: the saved text differs from the live function`);
  }
  return {
    name: checkName,
    passed: problems.length === 0 && functions.length > 0,
    detail:
      problems.length > 0
        ? problems.join('; ')
        : functions.length > 0
          ? `${functions.length} definitions re-created in a scratch schema, each identical to the saved and the live text`
          : 'no function definition saved',
  };
}

/** Restores the backup into `cutover_restore_check_<backup id>`, diffs it with the live source, and rolls it all back. */
export async function proveBackupRestorable(sql: Sql, backup: StoredBackup): Promise<Check[]> {
  const scratch = `cutover_restore_check_${backup.id}`;
  try {
    await sql.begin(async (tx) => {
      // As a restore does (pg_dump sets it too): bodies are checked when called, not when created.
      await tx.unsafe('SET LOCAL check_function_bodies = off');
      await tx.unsafe(`CREATE SCHEMA ${scratch}`);
      // Unqualified names in saved definitions (a foreign key's REFERENCES) resolve to the restored tables first.
      await tx.unsafe(`SET LOCAL search_path = ${scratch}, public`);
      const checks: Check[] = [];
      for (const table of backup.tables) checks.push(await restoreTable(tx, scratch, table));
      checks.push(await restoreRegistryAndCursors(tx, scratch, backup));
      checks.push(await restoreConstraints(tx, scratch, backup.constraints));
      checks.push(await recreateFunctions(tx, scratch, backup.functions));
      throw new RolledBack(checks);
    });
  } catch (error) {
    if (error instanceof RolledBack) return error.checks;
    return [
      {
        name: 'Backup restores into a scratch schema',
        passed: false,
        detail: `the restore could not run: ${messageOf(error)}`,
      },
    ];
  }
  throw new Error('unreachable: the restore transaction always rolls back');
}
