import { beforeAll, describe, expect, it } from 'vitest';
import { MIDWEEK_NOW } from '../../../test-support/test-world';
import { useTestWorld } from '../../../test-support/world-database';
import type { WorkerMode } from '../../db/console-schema';
import { calcDxyRange1mSql } from '../../runbook/phases/3-function/calc-dxy-range-1m';
import { MINUTE_MS } from '../../time-units';
import { fixedClock } from '../clock';
import { aggregate1mTo5mWindowSql } from '../pipeline/aggregator-sql';
import { tickSimulatedWorkers } from './simulated-workers';

describe('simulated workers advance with the clock', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW });
  const clock = fixedClock(MIDWEEK_NOW);

  beforeAll(async () => {
    await test.database.sql.unsafe(calcDxyRange1mSql({ setsUpdatedAt: false }));
  });

  const setMode = (mode: WorkerMode) =>
    test.database.sql`update cutover.rehearsal_workers set mode = ${mode} where id = 1`;

  async function dxyMinutes(from: Date, to: Date) {
    const [row] = await test.database.sql<{ data_bars: number; derived: number; components: number }[]>`
      select (select count(*)::int from public.data_bars where canonical_symbol = 'DXY' and ts_utc >= ${from} and ts_utc < ${to}) as data_bars,
             (select count(*)::int from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
                and deleted_at is null and ts_utc >= ${from} and ts_utc < ${to}) as derived,
             (select count(*)::int from public.data_bars where canonical_symbol = 'EURUSD' and ts_utc >= ${from} and ts_utc < ${to}) as components`;
    return row as { data_bars: number; derived: number; components: number };
  }

  async function advance(minutes: number) {
    const from = clock.now();
    clock.advance(minutes * MINUTE_MS);
    const result = await tickSimulatedWorkers(test.database.sql, { now: clock.now() });
    return { from, to: new Date(from.getTime() + minutes * MINUTE_MS), result };
  }

  it('does nothing until a minute has ended', async () => {
    const result = await tickSimulatedWorkers(test.database.sql, { now: new Date(clock.now().getTime() + 59_000) });
    expect(result.minutesProduced).toBe(0);
  });

  it('legacy mode: components land in data_bars, DXY only in derived_data_bars', async () => {
    const { from, to, result } = await advance(20);
    expect(result.minutesProduced).toBe(20);
    expect(result.errors).toEqual([]);
    const counts = await dxyMinutes(from, to);
    expect(counts.components).toBeGreaterThanOrEqual(18);
    expect(counts.derived).toBeGreaterThanOrEqual(15);
    expect(counts.data_bars).toBe(0);
  });

  it('the aggregator keeps producing 5m bars through catchup_aggregation_range, window by window', async () => {
    const { to } = await advance(10);
    const [row] = await test.database.sql<{ cursor: Date; bars: number; last_error: string | null }[]>`
      select s.last_agg_bar_ts_utc as cursor, s.last_error,
             (select count(*)::int from public.derived_data_bars d
               where d.canonical_symbol = 'DXY' and d.timeframe = '5m' and d.ts_utc >= ${MIDWEEK_NOW}
                 and d.ts_utc < s.last_agg_bar_ts_utc) as bars
        from public.data_agg_state s where s.canonical_symbol = 'DXY' and s.timeframe = '5m'`;
    // 30 minutes since the world's end: the windows due 30 s after their end are done.
    const due = Math.floor((to.getTime() - 30_000) / 300_000) * 300_000;
    expect(row?.cursor.getTime()).toBe(due);
    expect(row?.last_error).toBeNull();
    // A window with fewer than 3 DXY minutes (six components must all land) is possible but rare.
    expect(row?.bars).toBeGreaterThanOrEqual((due - MIDWEEK_NOW.getTime()) / 300_000 - 1);
    const [run] = await test.database.sql<{ stats: Record<string, unknown> }[]>`
      select stats from public.ops_runlog where job_name = 'aggregator' and stats ->> 'symbol' = 'DXY'
         and stats ->> 'timeframe' = '5m' order by id desc limit 1`;
    expect(run?.stats).toMatchObject({ success: true, stopped_reason: 'not_due' });
  });

  it('dual mode: DXY lands in both tables with the same close', async () => {
    await setMode('dual');
    const { from, to } = await advance(15);
    const counts = await dxyMinutes(from, to);
    expect(counts.data_bars).toBeGreaterThanOrEqual(10);
    expect(counts.derived).toBe(counts.data_bars);
    const [diff] = await test.database.sql<{ n: number }[]>`
      select count(*)::int as n from public.data_bars n
        join public.derived_data_bars o on o.canonical_symbol = 'DXY' and o.timeframe = '1m' and o.ts_utc = n.ts_utc and o.deleted_at is null
       where n.canonical_symbol = 'DXY' and n.ts_utc >= ${from} and abs(n.close - o.close) > 1e-9 * o.close`;
    expect(diff?.n).toBe(0);
  });

  it('final mode: DXY lands in data_bars only', async () => {
    await setMode('final');
    const { from, to } = await advance(15);
    const counts = await dxyMinutes(from, to);
    expect(counts.data_bars).toBeGreaterThanOrEqual(10);
    expect(counts.derived).toBe(0);
  });

  it('catches up at most an hour per tick, then the rest on the next tick', async () => {
    const { result } = await advance(61);
    expect(result.minutesProduced).toBe(60);
    const next = await tickSimulatedWorkers(test.database.sql, { now: clock.now() });
    expect(next.minutesProduced).toBe(1);
  });

  it('the aggregator keeps its cursors at the start of the next due window', async () => {
    const cursors = await test.database.sql<{ timeframe: string; last_agg_bar_ts_utc: Date }[]>`
      select timeframe, last_agg_bar_ts_utc from public.data_agg_state where canonical_symbol = 'DXY' order by timeframe`;
    const now = clock.now().getTime();
    const hour = cursors.find((c) => c.timeframe === '1h')?.last_agg_bar_ts_utc.getTime() ?? 0;
    const five = cursors.find((c) => c.timeframe === '5m')?.last_agg_bar_ts_utc.getTime() ?? 0;
    expect(five).toBe(Math.floor((now - 30_000) / 300_000) * 300_000);
    expect(hour).toBe(Math.floor((now - 120_000) / 3_600_000) * 3_600_000);
    const [runs] = await test.database.sql<{ tick: number; agg: number; failed: number }[]>`
      select count(*) filter (where job_name = 'tick_factory')::int as tick,
             count(*) filter (where job_name = 'aggregator')::int as agg,
             count(*) filter (where status = 'failed')::int as failed
        from public.ops_runlog`;
    expect(runs?.tick).toBe(20 + 10 + 15 + 15 + 61);
    expect(runs?.agg).toBeGreaterThan(0);
    expect(runs?.failed).toBe(0);
  });

  it('a stopped tick-factory produces nothing; aggregation of the gap finds no bars', async () => {
    await test.database.sql`update cutover.rehearsal_workers set paused = true where id = 1`;
    const { from, to, result } = await advance(10);
    expect(result.minutesProduced).toBe(0);
    expect((await dxyMinutes(from, to)).components).toBe(0);
    await test.database.sql`update cutover.rehearsal_workers set paused = false where id = 1`;
  });

  it('records a failed run in ops_runlog when the deployed path errors, and still ingests components', async () => {
    await test.database.sql`drop function public.calc_dxy_range_1m(timestamptz, timestamptz, integer)`;
    await test.database.sql`update cutover.rehearsal_workers set next_minute = ${clock.now()} where id = 1`;
    const { from, to, result } = await advance(3);
    expect(result.errors).toHaveLength(3);
    expect(result.errors[0]).toMatch(/calc_dxy_range_1m/);
    expect((await dxyMinutes(from, to)).components).toBeGreaterThanOrEqual(2);
    const [row] = await test.database.sql<{ failed: number }[]>`
      select count(*)::int as failed from public.ops_runlog where job_name = 'tick_factory' and status = 'failed'`;
    expect(row?.failed).toBe(3);
  });

  it('a catch-up that fails (the window function replaced by a three-argument one) is a worker error', async () => {
    await test.database.sql`drop function public.aggregate_1m_to_5m_window(text, timestamptz, timestamptz, integer)`;
    await test.database.sql.unsafe(aggregate1mTo5mWindowSql('plan', 'data_bars_only'));
    try {
      await test.database.sql`update cutover.rehearsal_workers set next_minute = ${clock.now()} where id = 1`;
      const { result } = await advance(10);
      expect(result.errors.filter((e) => e.startsWith('aggregator DXY 5m'))).toEqual([
        expect.stringMatching(/catchup_aggregation_range returned .*aggregate_1m_to_5m_window/),
      ]);
      const [state] = await test.database.sql<{ last_error: string; hard_fail_streak: number }[]>`
        select last_error, hard_fail_streak from public.data_agg_state where canonical_symbol = 'DXY' and timeframe = '5m'`;
      expect(state?.last_error).toMatch(/aggregate_1m_to_5m_window/);
      expect(state?.hard_fail_streak).toBe(1);
    } finally {
      await test.database.sql`drop function public.aggregate_1m_to_5m_window(text, timestamptz, timestamptz)`;
      await test.database.sql.unsafe(aggregate1mTo5mWindowSql('production', 'union'));
    }
  });
});

describe('simulated workers in the plan world', () => {
  const test = useTestWorld({ variant: 'plan', days: 1, now: MIDWEEK_NOW });
  const clock = fixedClock(MIDWEEK_NOW);

  it("call the plan's three-argument aggregators by name and move the cursors themselves", async () => {
    clock.advance(20 * MINUTE_MS);
    const result = await tickSimulatedWorkers(test.database.sql, { now: clock.now() });
    expect(result.errors).toEqual([]);
    const [row] = await test.database.sql<{ cursor: Date; bars: number }[]>`
      select s.last_agg_bar_ts_utc as cursor,
             (select count(*)::int from public.derived_data_bars d where d.canonical_symbol = 'EURUSD'
                and d.timeframe = '5m' and d.ts_utc >= ${MIDWEEK_NOW}) as bars
        from public.data_agg_state s where s.canonical_symbol = 'EURUSD' and s.timeframe = '5m'`;
    expect(row?.cursor.getTime()).toBe(Math.floor((clock.now().getTime() - 30_000) / 300_000) * 300_000);
    expect(row?.bars).toBeGreaterThanOrEqual(2);
  });
});
