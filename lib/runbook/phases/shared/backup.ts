/**
 * Phase 1's in-database backup of exactly what the migration changes: the DXY rows of both bar
 * tables (copied into the console's schema), the DXY registry row and aggregation cursors, the
 * definitions of the functions the migration replaces, and the constraint and index definitions.
 * Counts and checksums are recorded on the source and on the copy in one snapshot (the copy's state
 * when written); what proves the backup is restoring it (./backup-restore-proof.ts).
 */

import type { TransactionSql } from 'postgres';
import type { SqlOrTx } from '../../../db/connection';
import { type Backup, latestBackup } from '../../../db/tables/backups';
import { PIPELINE_FUNCTION_NAMES } from '../../../market/pipeline/function-names';
import { type FunctionFacts, readFunctionFacts } from './function-inspection';

/** Every overload of each is saved, with its identity, result type, owner, configuration and grants. */
export const BACKED_UP_FUNCTIONS = PIPELINE_FUNCTION_NAMES;

export interface TableBackup {
  source: string;
  copy: string;
  rows: number;
  checksum: string;
  copyRows: number;
  copyChecksum: string;
  /**
   * The largest id the copy took (text: a bigint), in the same snapshot: the restore proof compares
   * the live rows up to it, since rows the live pipeline writes after the backup are not the backup's.
   * Absent from backups taken before it was recorded.
   */
  maxId?: string;
  /**
   * When the copy was taken (the database's clock, its transaction's start): a live row whose
   * updated_at is later was changed since (a provider revision re-derived it) and cannot match the
   * backup. Absent from backups taken before it was recorded.
   */
  takenAt?: string;
}

/** Older backups (before the console recorded more than the definition) hold only name, signature, definition. */
export type FunctionBackup = FunctionFacts;

export function backupTableName(migrationRunId: number, table: 'data_bars' | 'derived_data_bars'): string {
  return `backup_run${migrationRunId}_${table}`;
}

/** Order-independent checksum of whole rows: the sum of 60-bit prefixes of each row's md5. */
function checksumSql(relation: string): string {
  return `select count(*) as rows,
                 coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint), 0)::text as checksum
            from ${relation} t`;
}

export async function checksumRelation(sql: SqlOrTx, relation: string): Promise<{ rows: number; checksum: string }> {
  const [row] = await sql.unsafe<{ rows: number; checksum: string }[]>(checksumSql(relation));
  return { rows: row?.rows ?? 0, checksum: row?.checksum ?? '0' };
}

/** The statements that write one table's copy: the preview lists them, the run executes exactly them. */
function copyStatements(migrationRunId: number, table: 'data_bars' | 'derived_data_bars'): string[] {
  const copy = `cutover.${backupTableName(migrationRunId, table)}`;
  return [
    `DROP TABLE IF EXISTS ${copy}`,
    `CREATE TABLE ${copy} AS SELECT * FROM public.${table} WHERE canonical_symbol = 'DXY'`,
    `CREATE INDEX ON ${copy} (timeframe, ts_utc)`,
  ];
}

export function backupStatements(migrationRunId: number): string[] {
  return (['data_bars', 'derived_data_bars'] as const).flatMap((table) => copyStatements(migrationRunId, table));
}

/** Copies the DXY rows of both tables into the console schema and checks them, in one snapshot. */
export async function copyBarTables(
  tx: TransactionSql,
  migrationRunId: number,
  /** Runs each copy statement: phase 1 passes its run's ctx.exec (only previewed statements run). */
  write: (tx: TransactionSql, text: string) => Promise<unknown> = (t, text) => t.unsafe(text),
): Promise<TableBackup[]> {
  const results: TableBackup[] = [];
  const [clock] = await tx<{ at: Date }[]>`select now() as at`;
  for (const table of ['data_bars', 'derived_data_bars'] as const) {
    const copy = `cutover.${backupTableName(migrationRunId, table)}`;
    for (const statement of copyStatements(migrationRunId, table)) await write(tx, statement);
    const source = await checksumRelation(tx, `(SELECT * FROM public.${table} WHERE canonical_symbol = 'DXY')`);
    const copied = await checksumRelation(tx, copy);
    const [max] = await tx.unsafe<{ max: string | null }[]>(`SELECT coalesce(max(id), 0)::text AS max FROM ${copy}`);
    results.push({
      source: `public.${table}`,
      copy,
      rows: source.rows,
      checksum: source.checksum,
      copyRows: copied.rows,
      copyChecksum: copied.checksum,
      maxId: max?.max ?? '0',
      ...(clock ? { takenAt: clock.at.toISOString() } : {}),
    });
  }
  return results;
}

export async function readFunctionDefinitions(sql: SqlOrTx): Promise<FunctionBackup[]> {
  return readFunctionFacts(sql, BACKED_UP_FUNCTIONS);
}

export interface ConstraintBackup {
  table: string;
  name: string;
  kind: 'constraint' | 'index';
  definition: string;
}

export async function readConstraintDefinitions(sql: SqlOrTx): Promise<ConstraintBackup[]> {
  return sql<ConstraintBackup[]>`
    select c.conrelid::regclass::text as table, c.conname as name, 'constraint' as kind, pg_get_constraintdef(c.oid) as definition
      from pg_constraint c
     where c.conrelid in ('public.data_bars'::regclass, 'public.derived_data_bars'::regclass, 'public.core_asset_registry_all'::regclass)
    union all
    select tablename, indexname, 'index', indexdef from pg_indexes
     where schemaname = 'public' and tablename in ('data_bars', 'derived_data_bars', 'core_asset_registry_all')
     order by 1, 3, 2`;
}

export async function readRegistryRow(sql: SqlOrTx): Promise<Record<string, unknown> | null> {
  const [row] = await sql<{ row: Record<string, unknown> }[]>`
    select to_jsonb(r) as row from public.core_asset_registry_all r where canonical_symbol = 'DXY'`;
  return row?.row ?? null;
}

export async function readAggState(sql: SqlOrTx): Promise<Record<string, unknown>[]> {
  const rows = await sql<{ row: Record<string, unknown> }[]>`
    select to_jsonb(s) as row from public.data_agg_state s where canonical_symbol = 'DXY' order by timeframe`;
  return rows.map((r) => r.row);
}

/**
 * A backup's row (lib/db/tables/backups.ts) with its documents typed as phase 1 writes them: the
 * schema cannot name these types (lib/db sits below lib/runbook).
 */
export type StoredBackup = Omit<Backup, 'tables' | 'functions' | 'constraints'> & {
  tables: TableBackup[];
  functions: FunctionBackup[];
  constraints: ConstraintBackup[];
};

export async function getBackup(sql: SqlOrTx, params: { migrationRunId: number }): Promise<StoredBackup | null> {
  // Phase 1 (lib/runbook/phases/1-preflight/phase-1-preflight.ts) is the only writer of these documents.
  return (await latestBackup(sql, params)) as StoredBackup | null;
}

/** The one backed-up definition of `name`; undefined when absent or when the backup holds several overloads. */
export function backedUpFunction(backup: StoredBackup, name: string): FunctionBackup | undefined {
  const overloads = backedUpOverloads(backup, name);
  return overloads.length === 1 ? overloads[0] : undefined;
}

export function backedUpOverloads(backup: StoredBackup, name: string): FunctionBackup[] {
  return backup.functions.filter((f) => f.name === name);
}
