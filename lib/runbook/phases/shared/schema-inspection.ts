/**
 * What the pipeline's schema looks like, read from the catalog — never assumed. Phase 1 checks
 * the columns the migration reads; phase 2 reports what the new path needs.
 */
import type { SqlOrTx } from '../../../db/connection';

/** The minute bar both tables hold after its symbol: its timeframe and time (the key) and its prices. */
const BAR_TIME_AND_PRICES = ['timeframe', 'ts_utc', 'open', 'high', 'low', 'close'] as const;

export const REQUIRED_COLUMNS: Record<string, readonly string[]> = {
  data_bars: [
    'canonical_symbol',
    'provider_ticker',
    ...BAR_TIME_AND_PRICES,
    'vol',
    'vwap',
    'trade_count',
    'is_partial',
    'source',
    'ingested_at',
  ],
  derived_data_bars: [
    'canonical_symbol',
    ...BAR_TIME_AND_PRICES,
    'source',
    'deleted_at',
    'derivation_version',
    'quality_score',
  ],
  core_asset_registry_all: ['canonical_symbol', 'asset_class'],
  data_agg_state: ['canonical_symbol', 'timeframe', 'last_agg_bar_ts_utc', 'status'],
};

export async function readColumns(sql: SqlOrTx, table: string): Promise<Set<string>> {
  const rows = await sql<{ column_name: string }[]>`
    select column_name from information_schema.columns where table_schema = 'public' and table_name = ${table}`;
  return new Set(rows.map((r) => r.column_name));
}

export async function missingRequiredColumns(sql: SqlOrTx): Promise<Record<string, string[]>> {
  const missing: Record<string, string[]> = {};
  for (const [table, columns] of Object.entries(REQUIRED_COLUMNS)) {
    const present = await readColumns(sql, table);
    const absent = columns.filter((c) => !present.has(c));
    if (absent.length > 0) missing[table] = absent;
  }
  return missing;
}

export async function serverMajorVersion(sql: SqlOrTx): Promise<number> {
  const [row] = await sql<{ v: number }[]>`select current_setting('server_version_num')::int as v`;
  return Math.floor((row?.v ?? 0) / 10_000);
}

export interface UniqueKey {
  name: string;
  kind: 'constraint' | 'index';
  valid: boolean;
}

/** Unique, non-partial indexes of data_bars whose key is exactly the three columns, in any order. */
export async function findBarKey(sql: SqlOrTx): Promise<UniqueKey[]> {
  return sql<UniqueKey[]>`
    select ic.relname as name,
           case when exists (select 1 from pg_constraint c where c.conindid = i.indexrelid) then 'constraint' else 'index' end as kind,
           i.indisvalid as valid
      from pg_index i
      join pg_class ic on ic.oid = i.indexrelid
     where i.indrelid = 'public.data_bars'::regclass
       and i.indisunique and i.indpred is null and i.indexprs is null
       and i.indnkeyatts = 3
       and (select array_agg(a.attname::text order by a.attname)
              from pg_attribute a
             where a.attrelid = i.indrelid and a.attnum = any(i.indkey::int2[])) = array['canonical_symbol', 'timeframe', 'ts_utc']`;
}

export interface SourceCheck {
  name: string;
  definition: string;
  allowsSynthetic: boolean;
}

/**
 * The CHECK constraints of data_bars that mention `source`, each evaluated against a row shaped
 * like the ones calc_dxy_range_1m writes (DXY, 1m, source 'synthetic', no provider ticker).
 * Evaluating the catalog's own expression avoids parsing constraint text.
 */
export async function readSourceChecks(sql: SqlOrTx): Promise<SourceCheck[]> {
  const checks = await sql<{ name: string; definition: string; expression: string }[]>`
    select conname as name, pg_get_constraintdef(oid) as definition, pg_get_expr(conbin, conrelid) as expression
      from pg_constraint
     where conrelid = 'public.data_bars'::regclass and contype = 'c'
       and pg_get_constraintdef(oid) ~ '\\msource\\M'`;
  if (checks.length === 0) return [];
  const columns = await sql<{ name: string; type: string }[]>`
    select attname as name, format_type(atttypid, atttypmod) as type from pg_attribute
     where attrelid = 'public.data_bars'::regclass and attnum > 0 and not attisdropped`;
  const sample: Record<string, string> = {
    canonical_symbol: `'DXY'`,
    timeframe: `'1m'`,
    source: `'synthetic'`,
    is_partial: 'false',
  };
  const row = columns
    .map((c) => `${sample[c.name] ?? 'null'}::${c.type} as "${c.name.replace(/"/g, '""')}"`)
    .join(', ');
  const results: SourceCheck[] = [];
  for (const check of checks) {
    const [result] = await sql.unsafe<{ ok: boolean | null }[]>(
      `select (${check.expression}) as ok from (select ${row}) as data_bars`,
    );
    // A CHECK passes when its expression is true or null.
    results.push({ name: check.name, definition: check.definition, allowsSynthetic: result?.ok !== false });
  }
  return results;
}

/** Keys present more than once in data_bars (only possible without a unique key). */
export async function findDuplicateKeys(sql: SqlOrTx, limit = 20): Promise<{ total: number; samples: unknown[] }> {
  const samples = await sql<{ canonical_symbol: string; timeframe: string; ts_utc: Date; copies: number }[]>`
    select canonical_symbol, timeframe, ts_utc, count(*)::int as copies
      from public.data_bars group by 1, 2, 3 having count(*) > 1
     order by 3 desc limit ${limit}`;
  if (samples.length === 0) return { total: 0, samples: [] };
  const [total] = await sql<{ n: number }[]>`
    select count(*)::int as n from (
      select 1 from public.data_bars group by canonical_symbol, timeframe, ts_utc having count(*) > 1) d`;
  return { total: total?.n ?? samples.length, samples };
}
