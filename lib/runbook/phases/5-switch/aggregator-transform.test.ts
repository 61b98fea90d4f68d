/**
 * Phase 5's transformation of production's own aggregator definition: only the derived_data_bars
 * 1m branch of its data_bars UNION ALL source goes, whatever surrounds it; anything it does not
 * understand is refused with what it found. The definitions are written out here, shaped like
 * pg_get_functiondef's output, independently of the rehearsal world's SQL.
 */
import { describe, expect, it } from 'vitest';
import { transformToDataBarsOnly } from './aggregator-transform';
import { unifiedDiff } from './unified-diff';

const HEAD = `CREATE OR REPLACE FUNCTION public.aggregate_1m_to_5m_window(p_symbol text, p_from_utc timestamp with time zone, p_to_utc timestamp with time zone, p_derivation_version integer DEFAULT 1)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public'
AS $function$
`;
const TAIL = `
$function$
`;

const DATA_BARS = `SELECT ts_utc, close, vol FROM public.data_bars
       WHERE canonical_symbol = p_symbol AND timeframe = '1m' AND ts_utc >= p_from_utc AND ts_utc < p_to_utc`;
const DERIVED = `SELECT ts_utc, close, vol FROM derived_data_bars d
       WHERE d.canonical_symbol = p_symbol AND d.timeframe = '1m' AND d.deleted_at IS NULL
         AND d.ts_utc >= p_from_utc AND d.ts_utc < p_to_utc`;

function definition(source: string, extra = ''): string {
  return `${HEAD}DECLARE
  v_n integer;
BEGIN
  -- The 1m input: UNION ALL of derived_data_bars and data_bars until the migration.${extra}
  SELECT count(*) INTO v_n FROM (
      ${source}
    ) s;
  PERFORM public._upsert_derived_bar(p_symbol, '5m', p_from_utc, 1, 1, 1, 1, 0, NULL, 0, 'agg', '1m', v_n, 5, 2,
    p_derivation_version, jsonb_build_object('fn', 'agg5 (UNION ALL derived_data_bars)'));
  RETURN jsonb_build_object('success', true, 'stored', true, 'source_count', v_n);
END
${TAIL}`;
}

describe('transformToDataBarsOnly', () => {
  it('removes the derived_data_bars branch and its UNION ALL, and nothing else', () => {
    const before = definition(`${DATA_BARS}\n      UNION ALL\n      ${DERIVED}`);
    const result = transformToDataBarsOnly(before);
    expect(result).toMatchObject({ ok: true });
    if (!result.ok) return;
    expect(result.sql).toBe(definition(DATA_BARS));
    expect(result.removedBranch).toBe(`UNION ALL\n      ${DERIVED}`);
    const diff = unifiedDiff(before, result.sql, { before: 'backup', after: 'replacement' });
    const changed = diff.split('\n').filter((l) => /^[-+](?![-+]{2} )/.test(l));
    expect(changed).toEqual([
      '-      UNION ALL',
      '-      SELECT ts_utc, close, vol FROM derived_data_bars d',
      "-       WHERE d.canonical_symbol = p_symbol AND d.timeframe = '1m' AND d.deleted_at IS NULL",
      '-         AND d.ts_utc >= p_from_utc AND d.ts_utc < p_to_utc',
    ]);
  });

  it('removes it when it comes first, with parenthesised branches, in any letter case', () => {
    const before = definition(`(${DERIVED})\n      union all\n      (${DATA_BARS})`);
    const result = transformToDataBarsOnly(before);
    expect(result.ok && result.sql).toBe(definition(`(${DATA_BARS})`));
  });

  it('ignores UNION ALL and table names inside comments and string literals', () => {
    const before = definition(
      `${DATA_BARS}\n      UNION ALL\n      ${DERIVED}`,
      "\n  /* was: FROM derived_data_bars UNION ALL data_bars */\n  RAISE NOTICE 'UNION ALL of data_bars';",
    );
    const result = transformToDataBarsOnly(before);
    expect(result.ok && result.sql).toBe(
      definition(
        DATA_BARS,
        "\n  /* was: FROM derived_data_bars UNION ALL data_bars */\n  RAISE NOTICE 'UNION ALL of data_bars';",
      ),
    );
  });

  it('says so when the body already reads data_bars only', () => {
    const result = transformToDataBarsOnly(definition(DATA_BARS));
    expect(result).toMatchObject({ ok: false, alreadyDataBarsOnly: true });
    if (!result.ok)
      expect(result.reason).toMatch(/already reads data_bars only \(found: FROM data_bars \(line \d+\)\)/);
  });

  it('refuses a body reading derived_data_bars 1m without a union with data_bars, naming what it found', () => {
    const result = transformToDataBarsOnly(definition(DERIVED));
    expect(result).toMatchObject({ ok: false, alreadyDataBarsOnly: false });
    if (!result.ok) expect(result.reason).toMatch(/no recognisable .* \(0 UNION ALL; found: FROM derived_data_bars/);
  });

  it('refuses two such unions (which one is the 1m input is not clear)', () => {
    const union = `${DATA_BARS}\n      UNION ALL\n      ${DERIVED}`;
    const result = transformToDataBarsOnly(
      definition(`SELECT * FROM (${union}) a UNION ALL SELECT * FROM (${union}) b`),
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/^2 unions of data_bars and derived_data_bars 1m/);
  });

  it('refuses a union whose derived branch is not the 1m input (another timeframe)', () => {
    const result = transformToDataBarsOnly(
      definition(`${DATA_BARS}\n      UNION ALL\n      ${DERIVED.replace("'1m'", "'5m'")}`),
    );
    expect(result.ok).toBe(false);
  });

  it('refuses a definition without a dollar-quoted body', () => {
    expect(transformToDataBarsOnly('CREATE FUNCTION f() RETURNS int AS $$ SELECT 1')).toMatchObject({ ok: false });
  });
});

describe('unifiedDiff', () => {
  it('is empty for equal texts and shows hunks with context otherwise', () => {
    expect(unifiedDiff('a\nb', 'a\nb', { before: 'x', after: 'y' })).toBe('');
    expect(unifiedDiff('a\nb\nc', 'a\nB\nc', { before: 'x', after: 'y' })).toBe(
      ['--- x', '+++ y', '@@ -1,3 +1,3 @@', ' a', '-b', '+B', ' c'].join('\n'),
    );
  });
});
