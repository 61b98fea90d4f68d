import { beforeAll, describe, expect, it } from 'vitest';
import { loadDxyVectors, relativeError } from '../../../../test-support/dxy-vectors';
import { useTestDatabase } from '../../../../test-support/world-database';
import { DXY_COMPONENTS } from '../../../market/dxy';
import { calcDxyRangeDerivedSql } from '../../../market/pipeline/calc-dxy-range-derived-sql';
import { pipelineSchemaSql } from '../../../market/rehearsal/schema-sql';
import { calcDxyRange1mSql } from './calc-dxy-range-1m';

const BASE = new Date('2026-11-25T10:00:00Z');
const minute = (n: number) => new Date(BASE.getTime() + n * 60_000);

/** The three closes a provider glitch can store in a double precision column that `> 0` lets through or not. */
const BAD_CLOSES = ['NaN', 'Infinity', '-Infinity'] as const;

describe('calc_dxy_range_1m refuses NaN and ±Infinity closes', () => {
  const test = useTestDatabase();
  const vectors = loadDxyVectors();

  beforeAll(async () => {
    const { sql } = test.database;
    await sql.unsafe(pipelineSchemaSql('production'));
    await sql.unsafe(calcDxyRangeDerivedSql('production'));
    await sql.unsafe(calcDxyRange1mSql({ setsUpdatedAt: false }));
    // Production's data_bars refuses a symbol the registry does not hold.
    for (const symbol of [...DXY_COMPONENTS, 'DXY'])
      await sql`insert into public.core_asset_registry_all (canonical_symbol, asset_class) values (${symbol}, 'test')`;
    // Minutes 0..19: the known-answer vectors. Minutes 20..22: vector 0 with one component's close
    // replaced by NaN, Infinity and -Infinity (a different component each time).
    const rows: { symbol: string; ts: Date; close: string }[] = [];
    for (const [index, vector] of vectors.entries()) {
      for (const symbol of DXY_COMPONENTS)
        rows.push({ symbol, ts: minute(index), close: String(vector.closes[symbol]) });
    }
    const first = vectors[0];
    if (!first) throw new Error('no vectors');
    for (const [offset, bad] of BAD_CLOSES.entries()) {
      for (const [position, symbol] of DXY_COMPONENTS.entries()) {
        rows.push({
          symbol,
          ts: minute(vectors.length + offset),
          close: position === offset + 1 ? bad : String(first.closes[symbol]),
        });
      }
    }
    for (const row of rows) {
      await sql`
        insert into public.data_bars (canonical_symbol, provider_ticker, timeframe, ts_utc, open, high, low, close, vol, vwap, trade_count,
                                      is_partial, source, ingested_at, raw)
        values (${row.symbol}, ${`C:${row.symbol}`}, '1m', ${row.ts}, 1, 1, 1, ${row.close}::float8, 100, 1, 10,
                false, 'massive', ${row.ts}, '{}')`;
    }
  });

  const end = () => minute(vectors.length + BAD_CLOSES.length);
  const dxyRows = () =>
    test.database.sql<{ ts_utc: Date; close: number; source: string; raw: unknown }[]>`
      select ts_utc, close, source, raw from public.data_bars where canonical_symbol = 'DXY' order by ts_utc`;

  it('writes the twenty vectors to 1e-12 and skips (and counts) the three bad minutes on the insert path', async () => {
    const [result] = await test.database.sql<{ r: Record<string, unknown> }[]>`
      select public.calc_dxy_range_1m(${minute(0)}, ${end()}) as r`;
    expect(result?.r).toMatchObject({ success: true, inserted: vectors.length, updated: 0, skipped: 3 });
    const rows = await dxyRows();
    expect(rows).toHaveLength(vectors.length);
    for (const [index, vector] of vectors.entries()) {
      expect(rows[index]?.ts_utc.getTime()).toBe(minute(index).getTime());
      expect(relativeError(rows[index]?.close ?? 0, vector.dxy)).toBeLessThanOrEqual(1e-12);
      expect(rows[index]?.raw).toEqual({ kind: 'dxy', version: 1 });
    }
    expect(rows.every((r) => Number.isFinite(r.close))).toBe(true);
  });

  it('skips them on the upsert path too (a range that already has DXY minutes)', async () => {
    const [result] = await test.database.sql<{ r: Record<string, unknown> }[]>`
      select public.calc_dxy_range_1m(${minute(0)}, ${end()}) as r`;
    expect(result?.r).toMatchObject({ success: true, inserted: 0, updated: 0, skipped: 3 });
    // A bad minute next to a good one: only the good one is written.
    const [single] = await test.database.sql<{ r: Record<string, unknown> }[]>`
      select public.calc_dxy_range_1m(${minute(vectors.length)}, ${minute(vectors.length + 1)}) as r`;
    expect(single?.r).toMatchObject({ inserted: 0, updated: 0, skipped: 1 });
    expect(await dxyRows()).toHaveLength(vectors.length);
  });

  it('leaves the legacy function as production has it (its own > 0 test)', async () => {
    const [legacy] = await test.database.sql<{ r: Record<string, unknown> }[]>`
      select public.calc_dxy_range_derived(${minute(0)}, ${minute(vectors.length)}) as r`;
    expect(legacy?.r).toMatchObject({ success: true, inserted: vectors.length, skipped_incomplete: 0 });
  });
});
