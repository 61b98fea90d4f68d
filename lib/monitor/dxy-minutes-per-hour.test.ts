import postgres from 'postgres';
import { beforeAll, describe, expect, it } from 'vitest';
import { MIDWEEK_NOW } from '../../test-support/test-world';
import { useTestWorld } from '../../test-support/world-database';
import { HOUR_MS } from '../time-units';
import { readDxyMinutesPerHour } from './dxy-minutes-per-hour';

describe('DXY minutes per hour for the overview sparkline', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 2 }, { through: ['1', '2-fix', '3', '4'] });
  beforeAll(async () => {
    // One legacy minute soft-deleted and one data_bars minute removed: the two lines must differ there.
    await test.database.sql`update public.derived_data_bars set deleted_at = now() where id = (
      select id from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
         and ts_utc < ${MIDWEEK_NOW} order by ts_utc desc limit 1 offset 100)`;
    await test.database.sql`delete from public.data_bars where id = (
      select id from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
         and ts_utc < ${MIDWEEK_NOW} order by ts_utc desc limit 1 offset 700)`;
  });

  it('equals plain per-hour counts of both tables, 24 whole UTC hours ending with the current one', async () => {
    const now = new Date(MIDWEEK_NOW.getTime() - 7 * 60_000);
    const hours = await readDxyMinutesPerHour(test.database.sql, { now });
    expect(hours).toHaveLength(24);
    expect(hours.at(-1)?.hourStart).toEqual(new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS));
    for (const hour of hours) expect(hour.hourStart.getUTCMinutes()).toBe(0);
    const first = hours[0]?.hourStart ?? now;
    const last = hours.at(-1)?.hourStart ?? now;
    const expected = await test.database.sql<{ hour_start: Date; legacy: number; data_bars: number }[]>`
      select h as hour_start,
        (select count(*)::int from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
            and deleted_at is null and ts_utc >= h and ts_utc < least(h + interval '1 hour', ${now}::timestamptz + interval '1 millisecond')) as legacy,
        (select count(*)::int from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
            and ts_utc >= h and ts_utc < least(h + interval '1 hour', ${now}::timestamptz + interval '1 millisecond')) as data_bars
      from generate_series(${first}::timestamptz, ${last}::timestamptz, interval '1 hour') as h
      order by h`;
    expect(hours.map((h) => ({ hourStart: h.hourStart, legacy: h.legacy, dataBars: h.dataBars }))).toEqual(
      expected.map((e) => ({ hourStart: e.hour_start, legacy: e.legacy, dataBars: e.data_bars })),
    );
    expect(hours.reduce((n, h) => n + h.legacy, 0)).toBeGreaterThan(1000);
    expect(hours.some((h) => h.legacy !== h.dataBars)).toBe(true);
  });

  it('reads both tables through their indexes, never a sequential scan', async () => {
    // auto_explain sends the plan of the function's own query back as a notice.
    const notices: string[] = [];
    const sql = postgres(test.url, { max: 1, onnotice: (notice) => notices.push(String(notice.message)) });
    try {
      await sql.begin(async (tx) => {
        await tx`load 'auto_explain'`;
        await tx`set local auto_explain.log_min_duration = 0`;
        await tx`set local auto_explain.log_level = 'notice'`;
        // Small test tables make a scan cheaper than any index; without scans the plan shows whether an index serves.
        await tx`set local enable_seqscan = off`;
        await readDxyMinutesPerHour(tx, { now: MIDWEEK_NOW });
      });
    } finally {
      await sql.end();
    }
    const plan = notices.find((n) => n.includes('derived_data_bars') && n.includes('data_bars')) ?? '';
    expect(plan).toContain('Index');
    expect(plan).not.toContain('Seq Scan');
  });
});
