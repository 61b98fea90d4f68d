/**
 * Putting back what phase 1 backed up (docs/phases.md "Rollback"): the pipeline functions exactly
 * as they were, and the comparisons that prove it. Every DDL statement goes through the caller's
 * executor, so the rollback's preview can run the very same restore in a rolled-back transaction
 * and list what it executed, and the run executes only those texts.
 */
import type { TransactionSql } from 'postgres';
import type { SqlOrTx } from '../../../db/connection';
import { backupTableName, type FunctionBackup, type StoredBackup } from '../shared/backup';
import { configStatements, readFunctionFacts } from '../shared/function-inspection';

/**
 * The pipeline functions the legacy path runs on, put back as backed up (a function identical to its backup is left
 * alone); phase 3's calc_dxy_range_1m stays (the legacy path never calls it).
 */
export const RESTORED_FUNCTIONS = [
  'aggregate_1m_to_5m_window',
  'aggregate_5m_to_1h_window',
  'calc_dxy_range_derived',
  '_upsert_derived_bar',
  'catchup_aggregation_range',
];

/** What phase 1 records of a function; older backups hold only name, signature and definition. */
type SavedFunction = FunctionBackup & {
  resultType?: string;
  owner?: string;
  config?: string[] | null;
  acl?: string[] | null;
};

function qualified(signature: string): string {
  return `public.${signature.replace(/^public\./, '')}`;
}

function quoteRole(name: string): string {
  const bare = name.replace(/^"(.*)"$/, '$1').replace(/""/g, '"');
  return `"${bare.replace(/"/g, '""')}"`;
}

/** The ACL Postgres applies when `proacl` is null: EXECUTE for PUBLIC and the owner. */
function effectiveAcl(acl: string[] | null | undefined, owner: string): string[] {
  return [...(acl ?? [`=X/${owner}`, `${owner}=X/${owner}`])].sort();
}

/** REVOKE everything, then GRANT exactly what the backed-up ACL held (EXECUTE is the only function privilege). */
function aclStatements(signature: string, saved: string[] | null, current: string[] | null, owner: string): string[] {
  const target = qualified(signature);
  const grantees = new Set<string>();
  for (const item of current ?? []) grantees.add(item.slice(0, item.indexOf('=')));
  const statements = [`REVOKE ALL ON FUNCTION ${target} FROM PUBLIC`];
  for (const grantee of grantees)
    if (grantee) statements.push(`REVOKE ALL ON FUNCTION ${target} FROM ${quoteRole(grantee)}`);
  for (const item of effectiveAcl(saved, owner)) {
    const grantee = item.slice(0, item.indexOf('='));
    const privileges = item.slice(item.indexOf('=') + 1, item.indexOf('/'));
    if (!privileges.includes('X')) continue;
    const withGrant = privileges.includes('X*') ? ' WITH GRANT OPTION' : '';
    statements.push(`GRANT EXECUTE ON FUNCTION ${target} TO ${grantee ? quoteRole(grantee) : 'PUBLIC'}${withGrant}`);
  }
  return statements;
}

/**
 * Puts each pipeline function back exactly as backed up: overloads not in the backup are dropped
 * (a CREATE OR REPLACE with another argument list adds one), a changed result type is dropped
 * and re-created, and owner, SET clauses and grants are set to the backed-up values.
 */
export async function restoreFunctions(
  tx: TransactionSql,
  backup: StoredBackup,
  /** Runs one DDL statement: a run's ctx.exec, or the preview's recorder inside a rolled-back transaction. */
  run: (tx: TransactionSql, text: string) => Promise<unknown>,
): Promise<string[]> {
  const done: string[] = [];
  for (const name of RESTORED_FUNCTIONS) {
    const saved = backup.functions.filter((f) => f.name === name) as SavedFunction[];
    if (saved.length === 0) continue;
    const current = await readFunctionFacts(tx, [name]);
    const savedSignatures = new Set(saved.map((f) => f.signature.replace(/^public\./, '')));
    for (const extra of current.filter((c) => !savedSignatures.has(c.signature.replace(/^public\./, '')))) {
      await run(tx, `DROP FUNCTION ${qualified(extra.signature)}`);
      done.push(`dropped ${extra.signature} (not in the backup)`);
    }
    for (const fn of saved) {
      const now = current.find((c) => c.signature.replace(/^public\./, '') === fn.signature.replace(/^public\./, ''));
      if (now && fn.resultType !== undefined && now.resultType !== fn.resultType) {
        await run(tx, `DROP FUNCTION ${qualified(fn.signature)}`);
      }
      if (
        !now ||
        now.definition !== fn.definition ||
        (fn.resultType !== undefined && now.resultType !== fn.resultType)
      ) {
        await run(tx, fn.definition);
        done.push(`restored ${fn.signature}`);
      }
      // Owner, SET and grants as backed up, each only when it differs (a re-created definition carries its SET already).
      const bare = fn.signature.replace(/^public\./, '');
      const [after] = (await readFunctionFacts(tx, [name])).filter(
        (c) => c.signature.replace(/^public\./, '') === bare,
      );
      if (!after) throw new Error(`${fn.signature} is missing after its restore.`);
      if (fn.owner && after.owner !== fn.owner) {
        await run(tx, `ALTER FUNCTION ${qualified(fn.signature)} OWNER TO ${quoteRole(fn.owner)}`);
        done.push(`owner of ${fn.signature} back to ${fn.owner}`);
      }
      if (fn.config !== undefined && JSON.stringify(after.config ?? []) !== JSON.stringify(fn.config ?? [])) {
        for (const statement of configStatements(fn.signature, fn.config)) await run(tx, statement);
        done.push(`SET of ${fn.signature} back to ${JSON.stringify(fn.config ?? [])}`);
      }
      const owner = fn.owner ?? after.owner;
      if (
        fn.acl !== undefined &&
        JSON.stringify(effectiveAcl(after.acl, after.owner)) !== JSON.stringify(effectiveAcl(fn.acl, owner))
      ) {
        for (const statement of aclStatements(fn.signature, fn.acl, after.acl, owner)) await run(tx, statement);
        done.push(`grants of ${fn.signature} back to ${JSON.stringify(fn.acl)}`);
      }
    }
  }
  return done;
}

/** Each function as backed up, compared by the backup's own signatures (never a hard-coded one). */
export async function compareFunctions(ctx: { sql: SqlOrTx }, backup: StoredBackup): Promise<string[]> {
  const problems: string[] = [];
  for (const name of RESTORED_FUNCTIONS) {
    const saved = backup.functions.filter((f) => f.name === name) as SavedFunction[];
    if (saved.length === 0) continue;
    const current = await readFunctionFacts(ctx.sql, [name]);
    const bare = (s: string) => s.replace(/^public\./, '');
    for (const extra of current.filter((c) => !saved.some((f) => bare(f.signature) === bare(c.signature))))
      problems.push(`${extra.signature} exists but is not in the backup`);
    for (const fn of saved) {
      const now = current.find((c) => bare(c.signature) === bare(fn.signature));
      if (!now) {
        problems.push(`${fn.signature} is missing`);
        continue;
      }
      if (now.definition !== fn.definition) problems.push(`${fn.signature}: definition differs from the backup`);
      if (fn.owner && now.owner !== fn.owner)
        problems.push(`${fn.signature}: owner ${now.owner}, backed up ${fn.owner}`);
      if (fn.config !== undefined && JSON.stringify(now.config ?? []) !== JSON.stringify(fn.config ?? []))
        problems.push(`${fn.signature}: SET ${JSON.stringify(now.config)}, backed up ${JSON.stringify(fn.config)}`);
      const owner = fn.owner ?? now.owner;
      if (
        fn.acl !== undefined &&
        JSON.stringify(effectiveAcl(now.acl, now.owner)) !== JSON.stringify(effectiveAcl(fn.acl, owner))
      )
        problems.push(`${fn.signature}: grants ${JSON.stringify(now.acl)}, backed up ${JSON.stringify(fn.acl)}`);
    }
  }
  return problems;
}

/** The backup table's columns that data_bars still has (phase 2 may have added columns since). */
export async function backedUpColumns(sql: SqlOrTx, copy: string): Promise<string[]> {
  const rows = await sql<{ column_name: string }[]>`
    select b.column_name from information_schema.columns b
      join information_schema.columns d on d.table_schema = 'public' and d.table_name = 'data_bars' and d.column_name = b.column_name
     where b.table_schema = 'cutover' and b.table_name = ${copy}
     order by b.ordinal_position`;
  return rows.map((r) => `"${r.column_name.replace(/"/g, '""')}"`);
}

/** data_bars' DXY rows compared with the backup by whole row: added, changed, gone. */
export async function dataBarsAgainstBackup(sql: SqlOrTx, migrationRunId: number) {
  const table = backupTableName(migrationRunId, 'data_bars');
  const columns = await backedUpColumns(sql, table);
  const d = columns.map((c) => `d.${c}`).join(', ');
  const b = columns.map((c) => `b.${c}`).join(', ');
  const [row] = await sql.unsafe<{ added: number; changed: number; gone: number; now: number }[]>(
    `SELECT (SELECT count(*)::int FROM public.data_bars d WHERE d.canonical_symbol = 'DXY'
               AND NOT EXISTS (SELECT 1 FROM cutover.${table} b WHERE b.id = d.id)) AS added,
            (SELECT count(*)::int FROM cutover.${table} b JOIN public.data_bars d ON d.id = b.id
              WHERE (${d}) IS DISTINCT FROM (${b})) AS changed,
            (SELECT count(*)::int FROM cutover.${table} b
              WHERE NOT EXISTS (SELECT 1 FROM public.data_bars d WHERE d.id = b.id)) AS gone,
            (SELECT count(*)::int FROM public.data_bars WHERE canonical_symbol = 'DXY') AS now`,
  );
  return { table, columns, counts: row ?? { added: 0, changed: 0, gone: 0, now: 0 } };
}
