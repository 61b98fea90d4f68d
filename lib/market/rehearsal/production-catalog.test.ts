/**
 * The production variant of the rehearsal world against DESIGN's facts about production (docs/domain.md),
 * read from pg_catalog. The expected values are written out here from those facts, not taken from
 * the code that builds the world, so a world that drifts from production fails this test.
 */
import type { Sql } from 'postgres';
import { describe, expect, it } from 'vitest';
import { MIDWEEK_NOW } from '../../../test-support/test-world';
import { useTestDatabase, useTestWorld } from '../../../test-support/world-database';
import { pipelineSchemaSql } from './schema-sql';

const TSTZ = 'timestamp with time zone';
const FLOAT = 'double precision';

/** data_bars as production has it: name, type, NOT NULL. No default on any column but id. */
const DATA_BARS_COLUMNS = [
  ['id', 'bigint', true],
  ['canonical_symbol', 'text', true],
  ['provider_ticker', 'text', false],
  ['timeframe', 'text', true],
  ['ts_utc', TSTZ, true],
  ['open', FLOAT, false],
  ['high', FLOAT, false],
  ['low', FLOAT, false],
  ['close', FLOAT, false],
  ['vol', FLOAT, false],
  ['vwap', FLOAT, false],
  ['trade_count', 'integer', false],
  ['is_partial', 'boolean', true],
  ['source', 'text', true],
  ['ingested_at', TSTZ, true],
  ['raw', 'jsonb', true],
];

/**
 * derived_data_bars as production has it: the bar columns (OHLC NOT NULL), then its own. Sorted by
 * name — DESIGN fixes the columns, not their order.
 */
const DERIVED_DATA_BARS_COLUMNS = [
  ...DATA_BARS_COLUMNS.map(([name, type, notNull]) => [
    name,
    type,
    ['open', 'high', 'low', 'close'].includes(name as string) ? true : notNull,
  ]),
  ['source_timeframe', 'text', false],
  ['source_candles', 'integer', false],
  ['expected_candles', 'integer', false],
  ['quality_score', 'integer', false],
  ['derivation_version', 'integer', true],
  ['deleted_at', TSTZ, false],
  ['created_at', TSTZ, true],
  ['updated_at', TSTZ, true],
].sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1));

/** The only columns of derived_data_bars with a default in production (is_partial and ingested_at have none). */
const DERIVED_DATA_BARS_DEFAULTS = [
  ['created_at', 'now()'],
  ['derivation_version', '1'],
  ['id', "nextval('derived_data_bars_id_seq'::regclass)"],
  ['raw', "'{}'::jsonb"],
  ['source', "'agg'::text"],
  ['updated_at', 'now()'],
];

const UPSERT_HELPER_ARGUMENTS =
  `p_symbol text, p_tf text, p_ts ${TSTZ}, p_open ${FLOAT}, p_high ${FLOAT}, p_low ${FLOAT}, p_close ${FLOAT}, ` +
  `p_vol ${FLOAT}, p_vwap ${FLOAT}, p_trade_count integer, p_source text, p_source_tf text, p_source_candles integer, ` +
  'p_expected_candles integer, p_quality_score integer, p_derivation_version integer, p_raw jsonb';

const WINDOW_ARGUMENTS = `p_symbol text, p_from_utc ${TSTZ}, p_to_utc ${TSTZ}, p_derivation_version integer`;

describe('the production world matches what DESIGN says production is', () => {
  const test = useTestWorld({ variant: 'production', now: MIDWEEK_NOW, days: 1 });

  it('data_bars: the columns, their nullability, and no default except id', async () => {
    const columns = await test.database.sql<{ name: string; type: string; not_null: boolean; def: string | null }[]>`
      select a.attname as name, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as not_null,
             pg_get_expr(d.adbin, d.adrelid) as def
        from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
       where a.attrelid = 'public.data_bars'::regclass and a.attnum > 0 and not a.attisdropped
       order by a.attnum`;
    expect(columns.map((c) => [c.name, c.type, c.not_null])).toEqual(DATA_BARS_COLUMNS);
    expect(columns.filter((c) => c.def !== null).map((c) => [c.name, c.def])).toEqual([
      ['id', "nextval('data_bars_id_seq'::regclass)"],
    ]);
  });

  it('data_bars: the foreign key to the registry, the unique constraint, and the two CHECKs (none on source values)', async () => {
    const constraints = await test.database.sql<{ name: string; type: string; def: string }[]>`
      select conname as name, contype as type, pg_get_constraintdef(oid) as def from pg_constraint
       where conrelid = 'public.data_bars'::regclass order by conname`;
    const byName = new Map(constraints.map((c) => [c.name, c]));
    expect(byName.get('data_bars_canonical_symbol_fkey')).toMatchObject({
      type: 'f',
      def: 'FOREIGN KEY (canonical_symbol) REFERENCES core_asset_registry_all(canonical_symbol)',
    });
    expect(byName.get('data_bars_symbol_tf_ts_unique')).toMatchObject({
      type: 'u',
      def: 'UNIQUE (canonical_symbol, timeframe, ts_utc)',
    });
    const checks = constraints.filter((c) => c.type === 'c').map((c) => c.def);
    expect(checks).toHaveLength(2);
    expect(checks.some((d) => /source <> 'massive'/.test(d) && /provider_ticker IS NOT NULL/.test(d))).toBe(true);
    expect(checks.some((d) => ['1m', '5m', '1h', '2h', '4h'].every((tf) => d.includes(`'${tf}'`)))).toBe(true);
    expect(checks.some((d) => /source = ANY|source IN/i.test(d))).toBe(false);
    // The foreign key is live: a symbol the registry does not hold is refused.
    await expect(
      test.database.sql`
        insert into public.data_bars (canonical_symbol, timeframe, ts_utc, is_partial, source, ingested_at, raw)
        values ('NOT_REGISTERED', '1m', now(), false, 'synthetic', now(), '{}')`,
    ).rejects.toThrow(/data_bars_canonical_symbol_fkey/);
  });

  it('data_bars and the registry: no created_at/updated_at on data_bars, no metadata on the registry', async () => {
    const columns = await test.database.sql<{ table: string; name: string }[]>`
      select attrelid::regclass::text as table, attname as name from pg_attribute
       where attrelid in ('public.data_bars'::regclass, 'public.core_asset_registry_all'::regclass)
         and attname in ('created_at', 'updated_at', 'metadata') and not attisdropped order by 1, 2`;
    expect(columns).toEqual([
      { table: 'core_asset_registry_all', name: 'created_at' },
      { table: 'core_asset_registry_all', name: 'updated_at' },
    ]);
  });

  it('derived_data_bars: one active row per key (a partial unique index), its listed defaults', async () => {
    const indexes = await test.database.sql<{ def: string }[]>`
      select pg_get_indexdef(i.indexrelid) as def from pg_index i
       where i.indrelid = 'public.derived_data_bars'::regclass and i.indisunique and not i.indisprimary`;
    expect(indexes).toHaveLength(1);
    expect(indexes[0]?.def).toMatch(
      /UNIQUE INDEX \S+ ON public\.derived_data_bars USING btree \(canonical_symbol, timeframe, ts_utc\) WHERE \(deleted_at IS NULL\)$/,
    );
    expect(await derivedDefaults(test.database.sql)).toEqual(DERIVED_DATA_BARS_DEFAULTS);
  });

  it('derived_data_bars: the columns and their nullability (OHLC NOT NULL); a writer that omits is_partial is refused', async () => {
    const columns = await test.database.sql<{ name: string; type: string; not_null: boolean }[]>`
      select a.attname as name, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as not_null
        from pg_attribute a
       where a.attrelid = 'public.derived_data_bars'::regclass and a.attnum > 0 and not a.attisdropped
       order by a.attname collate "C"`;
    expect(columns.map((c) => [c.name, c.type, c.not_null])).toEqual(DERIVED_DATA_BARS_COLUMNS);
    await expect(
      test.database.sql`
        insert into public.derived_data_bars (canonical_symbol, timeframe, ts_utc, open, high, low, close, ingested_at)
        values ('EURUSD', '5m', '2001-01-02T00:00:00Z', 1, 1, 1, 1, now())`,
    ).rejects.toThrow(/null value in column "is_partial"/);
    await expect(
      test.database.sql`
        insert into public.derived_data_bars (canonical_symbol, timeframe, ts_utc, open, high, low, close, is_partial)
        values ('EURUSD', '5m', '2001-01-02T00:00:00Z', 1, 1, 1, 1, false)`,
    ).rejects.toThrow(/null value in column "ingested_at"/);
  });

  it("_upsert_derived_bar and the aggregators: production's identity arguments, results and SECURITY DEFINER", async () => {
    const functions = await test.database.sql<{ name: string; args: string; result: string; secdef: boolean }[]>`
      select p.proname as name, pg_get_function_identity_arguments(p.oid) as args,
             pg_get_function_result(p.oid) as result, p.prosecdef as secdef
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname = 'public'
         and p.proname in ('_upsert_derived_bar', 'aggregate_1m_to_5m_window', 'aggregate_5m_to_1h_window',
                           'calc_dxy_range_derived', 'catchup_aggregation_range')
       order by 1`;
    expect(functions).toEqual([
      { name: '_upsert_derived_bar', args: UPSERT_HELPER_ARGUMENTS, result: 'jsonb', secdef: true },
      { name: 'aggregate_1m_to_5m_window', args: WINDOW_ARGUMENTS, result: 'jsonb', secdef: true },
      { name: 'aggregate_5m_to_1h_window', args: WINDOW_ARGUMENTS, result: 'jsonb', secdef: true },
      {
        name: 'calc_dxy_range_derived',
        args: `p_from_utc ${TSTZ}, p_to_utc ${TSTZ}, p_tf text, p_derivation_version integer`,
        result: 'jsonb',
        secdef: true,
      },
      {
        name: 'catchup_aggregation_range',
        args:
          `p_symbol text, p_to_tf text, p_start_cursor ${TSTZ}, p_max_windows integer, p_now ${TSTZ}, ` +
          'p_derivation_version integer, p_ignore_confirmation boolean',
        result: 'jsonb',
        secdef: true,
      },
    ]);
  });

  it('the aggregators call the helper positionally, and it answers {success, inserted}', async () => {
    const [definition] = await test.database.sql<{ def: string }[]>`
      select pg_get_functiondef('public.aggregate_1m_to_5m_window(text, timestamptz, timestamptz, integer)'::regprocedure) as def`;
    const call = /_upsert_derived_bar\(([\s\S]*?)\);/.exec(definition?.def ?? '')?.[1] ?? '';
    expect(call).not.toBe('');
    expect(call).not.toContain('=>');
    const first = await test.database.sql<{ r: unknown }[]>`
      select public._upsert_derived_bar('EURUSD', '5m', '2001-01-01T00:00:00Z'::timestamptz, 1, 1, 1, 1, 0, null, 0,
                                        'agg', '1m', 5, 5, 2, 1, '{"probe": true}'::jsonb) as r`;
    const second = await test.database.sql<{ r: unknown }[]>`
      select public._upsert_derived_bar('EURUSD', '5m', '2001-01-01T00:00:00Z'::timestamptz, 2, 2, 2, 2, 0, null, 0,
                                        'agg', '1m', 5, 5, 2, 1, '{"probe": true}'::jsonb) as r`;
    expect([first[0]?.r, second[0]?.r]).toEqual([
      { success: true, inserted: true },
      { success: true, inserted: false },
    ]);
    await test.database.sql`delete from public.derived_data_bars where ts_utc = '2001-01-01T00:00:00Z'`;
  });

  it('the registry holds every symbol the world wrote', async () => {
    const [orphans] = await test.database.sql<{ n: number }[]>`
      select count(*)::int as n from (
        select distinct canonical_symbol from public.data_bars
        union select distinct canonical_symbol from public.derived_data_bars) s
       where not exists (select 1 from public.core_asset_registry_all r where r.canonical_symbol = s.canonical_symbol)`;
    expect(orphans?.n).toBe(0);
  });
});

describe("the same reading tells the plan's shape apart (the checks above can fail)", () => {
  const test = useTestDatabase();

  it('sees defaults on is_partial and ingested_at, no foreign key and a CHECK on source values', async () => {
    await test.database.sql.unsafe(pipelineSchemaSql('plan'));
    const defaults = await test.database.sql<{ name: string }[]>`
      select a.attname as name from pg_attribute a join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
       where a.attrelid = 'public.data_bars'::regclass order by a.attnum`;
    expect(defaults.map((d) => d.name)).toEqual(['id', 'is_partial', 'ingested_at']);
    const constraints = await test.database.sql<{ name: string; def: string }[]>`
      select conname as name, pg_get_constraintdef(oid) as def from pg_constraint
       where conrelid = 'public.data_bars'::regclass and contype in ('f', 'c') order by conname`;
    expect(constraints.some((c) => c.name === 'data_bars_canonical_symbol_fkey')).toBe(false);
    expect(constraints.some((c) => /source = ANY|source IN/i.test(c.def))).toBe(true);
    // derived_data_bars: the plan's world defaults is_partial and ingested_at, which production does not.
    const derived = await derivedDefaults(test.database.sql);
    expect(derived).not.toEqual(DERIVED_DATA_BARS_DEFAULTS);
    expect(derived.map(([name]) => name)).toEqual(expect.arrayContaining(['is_partial', 'ingested_at']));
  });
});

/** derived_data_bars' columns with a default, as [name, expression], by name. */
async function derivedDefaults(sql: Sql): Promise<string[][]> {
  const rows = await sql<{ name: string; def: string }[]>`
    select a.attname as name, pg_get_expr(d.adbin, d.adrelid) as def
      from pg_attribute a join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
     where a.attrelid = 'public.derived_data_bars'::regclass
     order by a.attname collate "C"`;
  return rows.map((r) => [r.name, r.def]);
}
