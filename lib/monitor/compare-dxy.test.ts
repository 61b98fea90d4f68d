import { describe, expect, it } from 'vitest';
import type { TestDatabase } from '../../test-support/test-database';
import { MIDWEEK_NOW } from '../../test-support/test-world';
import { useTestWorld } from '../../test-support/world-database';
import { DXY_CLOSE_TOLERANCE } from '../market/dxy';
import { DAY_MS, HOUR_MS } from '../time-units';
import { type CompareRow, compareDxyByBucket, middleBucket, sampleDxyDifferences } from './compare-dxy';

/** The same numbers, computed independently per day with plain counts and EXCEPT. */
async function independentCounts(test: Pick<TestDatabase, 'database'>, from: Date, to: Date) {
  return test.database.sql<
    {
      day: string;
      new_rows: number;
      active: number;
      deleted: number;
      missing_new: number;
      missing_old: number;
      differs: number;
      bars_5m: number;
      bars_1h: number;
    }[]
  >`
    with days as (select generate_series(${from}::timestamptz, ${to}::timestamptz - interval '1 day', interval '1 day') as day)
    select to_char(day at time zone 'UTC', 'YYYY-MM-DD') as day,
      (select count(*)::int from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc >= day and ts_utc < day + interval '1 day') as new_rows,
      (select count(*)::int from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null and ts_utc >= day and ts_utc < day + interval '1 day') as active,
      (select count(*)::int from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is not null and ts_utc >= day and ts_utc < day + interval '1 day') as deleted,
      (select count(*)::int from (
         select ts_utc from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null and ts_utc >= day and ts_utc < day + interval '1 day'
         except select ts_utc from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m') x) as missing_new,
      (select count(*)::int from (
         select ts_utc from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc >= day and ts_utc < day + interval '1 day'
         except select ts_utc from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m') x) as missing_old,
      (select count(*)::int from public.data_bars n join public.derived_data_bars o
          on o.canonical_symbol = 'DXY' and o.timeframe = '1m' and o.deleted_at is null and o.ts_utc = n.ts_utc
        where n.canonical_symbol = 'DXY' and n.timeframe = '1m' and n.ts_utc >= day and n.ts_utc < day + interval '1 day'
          and abs(n.close - o.close) > ${DXY_CLOSE_TOLERANCE} * abs(o.close)) as differs,
      (select count(*)::int from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '5m' and deleted_at is null and ts_utc >= day and ts_utc < day + interval '1 day') as bars_5m,
      (select count(*)::int from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1h' and deleted_at is null and ts_utc >= day and ts_utc < day + interval '1 day') as bars_1h
    from days order by day desc`;
}

const to = new Date(Math.ceil(MIDWEEK_NOW.getTime() / DAY_MS) * DAY_MS + DAY_MS);
const from = new Date(to.getTime() - 5 * DAY_MS);

/** compareDxyByBucket by day over `range` gives every number the independent counts give. */
async function expectEqual(test: Pick<TestDatabase, 'database'>, range: { from: Date; to: Date } = { from, to }) {
  const rows = await compareDxyByBucket(test.database.sql, { ...range, bucket: 'day' });
  const expected = (await independentCounts(test, range.from, range.to)).filter(
    (e) => e.new_rows + e.active + e.deleted + e.bars_5m + e.bars_1h > 0,
  );
  expect(
    rows.map((r) => ({
      day: r.bucket.toISOString().slice(0, 10),
      new_rows: r.dataBars,
      active: r.legacyActive,
      deleted: r.legacySoftDeleted,
      missing_new: r.missingInDataBars,
      missing_old: r.missingInLegacy,
      differs: r.closeDiffers,
      bars_5m: r.bars5m,
      bars_1h: r.bars1h,
    })),
  ).toEqual(expected);
  expect(rows.every((r) => r.difference === r.dataBars - r.legacyActive)).toBe(true);
  return rows;
}

describe('the compare numbers equal independent SQL counts', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 3 }, { through: ['1', '2-fix', '3', '4'] });

  it('after the copy: equal, nothing missing', async () => {
    const rows = await expectEqual(test);
    expect(rows.every((r) => r.missingInDataBars === 0 && r.closeDiffers === 0)).toBe(true);
  });

  it('after an injected mismatch, a deleted minute and a soft-deleted minute', async () => {
    await test.database.sql`update public.data_bars set close = close + 0.5 where id = (
      select id from public.data_bars where canonical_symbol = 'DXY' order by ts_utc limit 1 offset 300)`;
    await test.database.sql`delete from public.data_bars where id = (
      select id from public.data_bars where canonical_symbol = 'DXY' order by ts_utc limit 1 offset 1200)`;
    await test.database.sql`update public.derived_data_bars set deleted_at = now() where id = (
      select id from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' order by ts_utc limit 1 offset 2000)`;
    const rows = await expectEqual(test);
    expect(rows.reduce((n, r) => n + r.closeDiffers, 0)).toBe(1);
    expect(rows.reduce((n, r) => n + r.missingInDataBars, 0)).toBe(1);
    expect(rows.reduce((n, r) => n + r.legacySoftDeleted, 0)).toBe(1);
    // The soft-deleted minute is explained by the soft-deleted column, not counted as missing.
    expect(rows.reduce((n, r) => n + r.missingInLegacy, 0)).toBe(0);
    const samples = await sampleDxyDifferences(test.database.sql, { from, to });
    expect(samples.map((s) => s.kind).sort()).toEqual(['close differs', 'missing in data_bars']);
    await test.database.sql`delete from public.derived_data_bars where id = (
      select id from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null order by ts_utc limit 1 offset 2500)`;
    const after = await expectEqual(test);
    expect(after.reduce((n, r) => n + r.missingInLegacy, 0)).toBe(1);
    // A range long enough to be compared in two halves on two connections gives the same numbers.
    const long = await expectEqual(test, { from: new Date(to.getTime() - 90 * DAY_MS), to });
    expect(long.reduce((n, r) => n + r.missingInLegacy + r.missingInDataBars + r.closeDiffers, 0)).toBe(3);
  });

  it('hours of a day add up to the day', async () => {
    const days = await compareDxyByBucket(test.database.sql, { from, to, bucket: 'day' });
    const day = days.find((d) => d.dataBars > 0);
    if (!day) throw new Error('no day with DXY rows');
    const hours = await compareDxyByBucket(test.database.sql, {
      from: day.bucket,
      to: new Date(day.bucket.getTime() + DAY_MS),
      bucket: 'hour',
    });
    expect(hours.reduce((n, h) => n + h.dataBars, 0)).toBe(day.dataBars);
    expect(hours.reduce((n, h) => n + h.bars5m, 0)).toBe(day.bars5m);
  });
});

describe('compare edges: UTC buckets in a non-UTC session, 5m/1h, the tolerance, soft-deleted copies, the split', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 3 }, { through: ['1', '2-fix', '3', '4'] });
  const sql = () => test.database.sql;
  const dayOf = (rows: CompareRow[], day: string) => {
    const row = rows.find((r) => r.bucket.toISOString().startsWith(day));
    if (!row) throw new Error(`no bucket for ${day}`);
    return row;
  };

  it('buckets are UTC days and hours whatever the session TimeZone', async () => {
    // The test databases' sessions are Asia/Kathmandu (+05:45): its midnight is 18:15 UTC.
    const [zone] = await sql()<{ offset: number }[]>`select extract(timezone from now())::int as offset`;
    expect(zone?.offset).toBe(20_700);
    const midnight = new Date('2026-11-24T00:00:00Z');
    const around = await sql()<{ ts: Date }[]>`
      (select ts_utc as ts from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc < ${midnight}
        order by ts_utc desc limit 2)
      union all
      (select ts_utc from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc >= ${midnight}
        order by ts_utc limit 2)`;
    const [last, beforeLast, first, second] = around.map((r) => r.ts);
    if (!last || !beforeLast || !first || !second) throw new Error('no DXY minutes around the midnight');
    expect(first).toEqual(midnight);
    expect(midnight.getTime() - beforeLast.getTime()).toBeLessThan(HOUR_MS);
    expect(second.getTime() - midnight.getTime()).toBeLessThan(HOUR_MS);
    // Before the UTC midnight: a close changed, a data_bars minute gone. From it on: the minute at
    // midnight itself soft-deleted in legacy, the next one gone from legacy.
    await sql()`update public.data_bars set close = close * 1.001
                 where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${last}`;
    await sql()`delete from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${beforeLast}`;
    await sql()`update public.derived_data_bars set deleted_at = now()
                 where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null and ts_utc = ${first}`;
    await sql()`delete from public.derived_data_bars
                 where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null and ts_utc = ${second}`;
    const numbers = (r: CompareRow) => [r.closeDiffers, r.missingInDataBars, r.legacySoftDeleted, r.missingInLegacy];
    const days = await expectEqual(test);
    expect(numbers(dayOf(days, '2026-11-23'))).toEqual([1, 1, 0, 0]);
    expect(numbers(dayOf(days, '2026-11-24'))).toEqual([0, 0, 1, 1]);
    const hours = await compareDxyByBucket(sql(), {
      from: new Date(midnight.getTime() - HOUR_MS),
      to: new Date(midnight.getTime() + HOUR_MS),
      bucket: 'hour',
    });
    expect(hours.map((h) => [h.bucket.toISOString(), ...numbers(h)])).toEqual([
      ['2026-11-24T00:00:00.000Z', 0, 0, 1, 1],
      ['2026-11-23T23:00:00.000Z', 1, 1, 0, 0],
    ]);
  });

  it('5m and 1h count the active legacy rows of each UTC day', async () => {
    const before = dayOf(await expectEqual(test), '2026-11-24');
    expect(before.bars5m).toBeGreaterThan(0);
    expect(before.bars1h).toBeGreaterThan(0);
    for (const timeframe of ['5m', '1h']) {
      await sql()`update public.derived_data_bars set deleted_at = now() where id = (
        select id from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = ${timeframe}
           and deleted_at is null and ts_utc >= '2026-11-24T12:00:00Z' order by ts_utc limit 1)`;
    }
    const after = dayOf(await expectEqual(test), '2026-11-24');
    expect([after.bars5m, after.bars1h]).toEqual([before.bars5m - 1, before.bars1h - 1]);
    // Soft-deleted 5m/1h rows are not 1m minutes: the soft-deleted column counts DXY 1m only.
    expect(after.legacySoftDeleted).toBe(before.legacySoftDeleted);
  });

  it('a close within the tolerance is equal, one beyond it differs', async () => {
    const before = dayOf(await expectEqual(test), '2026-11-24');
    const minutes = await sql()<{ ts: Date }[]>`
      select ts_utc as ts from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
         and ts_utc >= '2026-11-24T10:00:00Z' order by ts_utc limit 2`;
    const [within, beyond] = minutes.map((m) => m.ts);
    if (!within || !beyond) throw new Error('no DXY minutes at 10:00 on 2026-11-24');
    await sql()`update public.data_bars set close = close * (1 + 1e-12) where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${within}`;
    await sql()`update public.data_bars set close = close * (1 + 1e-8) where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${beyond}`;
    const [changed] = await sql()<{ n: number }[]>`
      select count(*)::int as n from public.data_bars n join public.derived_data_bars o
          on o.canonical_symbol = 'DXY' and o.timeframe = '1m' and o.deleted_at is null and o.ts_utc = n.ts_utc
       where n.canonical_symbol = 'DXY' and n.timeframe = '1m' and n.ts_utc in (${within}, ${beyond}) and n.close <> o.close`;
    expect(changed?.n).toBe(2);
    const after = dayOf(await expectEqual(test), '2026-11-24');
    expect(after.closeDiffers).toBe(before.closeDiffers + 1);
    const samples = await sampleDxyDifferences(sql(), {
      from: within,
      to: new Date(beyond.getTime() + 60_000),
    });
    expect(samples.map((s) => [s.tsUtc.toISOString(), s.kind])).toEqual([[beyond.toISOString(), 'close differs']]);
  });

  it('a soft-deleted copy of a minute that is still active is counted apart, and nothing is missing', async () => {
    const before = dayOf(await expectEqual(test), '2026-11-24');
    await sql()`insert into public.derived_data_bars (canonical_symbol, provider_ticker, timeframe, ts_utc, open, high, low,
                  close, vol, vwap, trade_count, is_partial, source, derivation_version, ingested_at, deleted_at, raw)
                select canonical_symbol, provider_ticker, timeframe, ts_utc, open, high, low, close, vol, vwap, trade_count,
                       is_partial, source, derivation_version, ingested_at, now(), raw
                  from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null
                   and ts_utc >= '2026-11-24T08:00:00Z' order by ts_utc limit 1`;
    const after = dayOf(await expectEqual(test), '2026-11-24');
    expect(after).toMatchObject({
      legacySoftDeleted: before.legacySoftDeleted + 1,
      legacyActive: before.legacyActive,
      missingInDataBars: before.missingInDataBars,
      missingInLegacy: before.missingInLegacy,
    });
  });

  it('a range reaching far before the history is split where its minutes are, with the same numbers', async () => {
    const rows = await expectEqual(test, { from: new Date(to.getTime() - 400 * DAY_MS), to });
    expect(rows.length).toBeGreaterThanOrEqual(3);
  });

  it('the split gives each half half the buckets from the first minute to the last, at least one bucket each', () => {
    const whole = {
      firstBucket: new Date(0),
      bucketCount: 400,
      strideMs: DAY_MS,
      from: new Date(0),
      to: new Date(400 * DAY_MS),
    };
    const spans: [number, number][] = [
      [396, 399],
      [396, 398],
      [0, 399],
      [10, 10],
      [0, 0],
      [399, 399],
      [100, 301],
    ];
    for (const [lo, hi] of spans) {
      const half = middleBucket(whole, new Date(lo * DAY_MS + 5), new Date(hi * DAY_MS + 5));
      expect(half).toBeGreaterThanOrEqual(1);
      expect(half).toBeLessThanOrEqual(399);
      // Whenever the span has two buckets or more, each half takes half of it (one more at most).
      if (hi > lo) expect(Math.abs(half - lo - (hi + 1 - half))).toBeLessThanOrEqual(1);
    }
    // No minute read (an empty range): the buckets themselves are halved.
    expect(middleBucket(whole, null, null)).toBe(200);
  });
});
