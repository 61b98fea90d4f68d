/**
 * The two indexes the migration's minute-by-minute comparisons read: phase 4's key-and-value
 * verification, the compare page and the window's parity check all walk DXY 1m of both tables
 * in minute order with their closes. Partial (DXY 1m only, ≈ 25 MB per table for two years) and covering,
 * so those walks are index-only merge joins; without them each reads both heaps, which measured
 * 1.3–2.8 s per compare on two years (docs/architecture.md "Performance"). Phase 2 reports them; its fix builds them
 * CONCURRENTLY, so writers are never blocked.
 */
import type { SqlOrTx } from '../../../db/connection';

export interface ComparisonIndex {
  name: string;
  table: 'data_bars' | 'derived_data_bars';
  /** Key and INCLUDE columns, as CREATE INDEX takes them. */
  definition: string;
}

export const COMPARISON_INDEXES: readonly ComparisonIndex[] = [
  {
    name: 'data_bars_dxy_1m_compare_idx',
    table: 'data_bars',
    definition: "(ts_utc) INCLUDE (close) WHERE canonical_symbol = 'DXY' AND timeframe = '1m'",
  },
  {
    name: 'derived_data_bars_dxy_1m_active_compare_idx',
    table: 'derived_data_bars',
    definition: "(ts_utc) INCLUDE (close) WHERE canonical_symbol = 'DXY' AND timeframe = '1m' AND deleted_at IS NULL",
  },
  // Soft-deleted rows apart: none until phase 9, all of them after; counting them never reads the active ones.
  {
    name: 'derived_data_bars_dxy_1m_deleted_compare_idx',
    table: 'derived_data_bars',
    definition: "(ts_utc) WHERE canonical_symbol = 'DXY' AND timeframe = '1m' AND deleted_at IS NOT NULL",
  },
];

export function createComparisonIndexSql(index: ComparisonIndex): string {
  return `CREATE INDEX CONCURRENTLY IF NOT EXISTS ${index.name} ON public.${index.table} ${index.definition}`;
}

export interface ComparisonIndexState {
  index: ComparisonIndex;
  state: 'valid' | 'invalid' | 'missing';
}

export async function readComparisonIndexes(sql: SqlOrTx): Promise<ComparisonIndexState[]> {
  const names = COMPARISON_INDEXES.map((i) => i.name);
  const rows = await sql<{ name: string; valid: boolean }[]>`
    select c.relname as name, i.indisvalid as valid
      from pg_index i join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relname = any(${names})`;
  return COMPARISON_INDEXES.map((index) => {
    const row = rows.find((r) => r.name === index.name);
    return { index, state: !row ? 'missing' : row.valid ? 'valid' : 'invalid' };
  });
}
