import { beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseInUse, useTestDatabase } from '../../../test-support/world-database';
import type { PipelineVariant } from '../pipeline/variant';
import { pipelineSchemaSql } from './schema-sql';

async function catalog(test: DatabaseInUse) {
  const { sql } = test.database;
  const constraints = await sql<{ table: string; name: string; type: string; def: string }[]>`
    select t.relname as table, c.conname as name, c.contype as type, pg_get_constraintdef(c.oid) as def
      from pg_constraint c join pg_class t on t.oid = c.conrelid join pg_namespace n on n.oid = t.relnamespace
     where n.nspname = 'public' order by 1, 2`;
  const indexes = await sql<{ table: string; name: string; def: string }[]>`
    select tablename as table, indexname as name, indexdef as def from pg_indexes where schemaname = 'public' order by 1, 2`;
  const columns = await sql<{ table: string; column: string; nullable: string }[]>`
    select table_name as table, column_name as column, is_nullable as nullable
      from information_schema.columns where table_schema = 'public' order by 1, ordinal_position`;
  const columnsOf = (table: string) => columns.filter((c) => c.table === table).map((c) => c.column);
  return { constraints, indexes, columnsOf };
}

describe.each<PipelineVariant>(['production', 'plan'])('the %s schema variant', (variant) => {
  const test = useTestDatabase();
  let cat: Awaited<ReturnType<typeof catalog>>;
  beforeAll(async () => {
    await test.database.sql.unsafe(pipelineSchemaSql(variant));
    cat = await catalog(test);
  });

  it('has the data_bars columns of production, without created_at/updated_at', () => {
    expect(cat.columnsOf('data_bars')).toEqual([
      'id',
      'canonical_symbol',
      'provider_ticker',
      'timeframe',
      'ts_utc',
      'open',
      'high',
      'low',
      'close',
      'vol',
      'vwap',
      'trade_count',
      'is_partial',
      'source',
      'ingested_at',
      'raw',
    ]);
  });

  it('has no registry metadata column', () => {
    expect(cat.columnsOf('core_asset_registry_all')).not.toContain('metadata');
    expect(cat.columnsOf('core_asset_registry_all')).toContain('base_timeframe');
  });

  it('keys derived_data_bars with a partial unique index on active rows', () => {
    const partial = cat.indexes.find((i) => i.name === 'derived_data_bars_active_key');
    expect(partial?.def).toMatch(/UNIQUE INDEX .*\(canonical_symbol, timeframe, ts_utc\) WHERE \(deleted_at IS NULL\)/);
    expect(cat.columnsOf('derived_data_bars')).toEqual(
      expect.arrayContaining([
        'deleted_at',
        'created_at',
        'updated_at',
        'source_candles',
        'quality_score',
        'derivation_version',
      ]),
    );
  });

  it('checks the timeframe and that massive rows carry a provider ticker', () => {
    const checks = cat.constraints.filter((c) => c.table === 'data_bars' && c.type === 'c').map((c) => c.def);
    expect(checks.some((d) => d.includes("'1m'") && d.includes("'4h'"))).toBe(true);
    expect(checks.some((d) => d.includes("'massive'") && d.includes('provider_ticker IS NOT NULL'))).toBe(true);
  });

  if (variant === 'production') {
    it('has the constraint data_bars_symbol_tf_ts_unique and no CHECK on source', () => {
      const unique = cat.constraints.find((c) => c.name === 'data_bars_symbol_tf_ts_unique');
      expect(unique?.type).toBe('u');
      expect(unique?.def).toBe('UNIQUE (canonical_symbol, timeframe, ts_utc)');
      const sourceChecks = cat.constraints.filter(
        (c) =>
          c.table === 'data_bars' &&
          c.type === 'c' &&
          /source = ANY|source IN/i.test(c.def) &&
          !c.def.includes('provider_ticker'),
      );
      expect(sourceChecks).toEqual([]);
    });
  } else {
    it('has a CHECK allowing only massive_api and ingest, and a plain unique index', () => {
      const check = cat.constraints.find((c) => c.name === 'data_bars_source_check');
      expect(check?.def).toMatch(/massive_api.*ingest/);
      expect(cat.constraints.some((c) => c.table === 'data_bars' && c.type === 'u')).toBe(false);
      const index = cat.indexes.find((i) => i.name === 'idx_data_bars_sym_tf_ts');
      expect(index?.def).toMatch(/UNIQUE INDEX .*\(canonical_symbol, timeframe, ts_utc\)$/);
    });
  }
});
