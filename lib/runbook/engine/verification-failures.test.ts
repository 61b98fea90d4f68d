import { describe, expect, it } from 'vitest';
import { failedChecks } from '../../../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../../../test-support/test-world';
import { useTestWorld } from '../../../test-support/world-database';

describe('verifications fail when they should', () => {
  const test = useTestWorld({ variant: 'plan', now: MIDWEEK_NOW, days: 2 }, { through: ['1', '2-fix'], perTest: true });

  it('phase 4 names the minute whose legacy close differs from data_bars', async () => {
    expect((await test.driver.run('3')).status).toBe('succeeded');
    expect((await test.driver.run('4')).status).toBe('succeeded');
    const [victim] = await test.database.sql<{ ts_utc: Date }[]>`
      update public.derived_data_bars set close = close * 1.0001
       where id = (select id from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
                   and deleted_at is null order by ts_utc limit 1 offset 100)
      returning ts_utc`;
    // A row the copy wrote would take legacy's revised close on the re-run (docs/phases.md "Who owns a DXY
    // row"); one calc_dxy_range_1m wrote (raw without copied_from) is never overwritten, so it stays different.
    await test.database.sql`update public.data_bars set raw = raw - 'copied_from'
                             where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${victim?.ts_utc ?? null}`;
    const run = await test.driver.run('4');
    expect(run.status).toBe('failed');
    const check = run.verification?.checks.find((c) => c.name.startsWith('Same close'));
    expect(check?.passed).toBe(false);
    expect(check?.detail).toContain('1 minutes differ');
    expect(check?.detail).toContain(victim?.ts_utc.toISOString());
    expect(check?.detail).toContain('1 owned by synthetic/dxy (calc_dxy_range_1m, the new writer), not overwritten');
  });

  it('phase 4 fails a copy with equal counts but different minutes (counts prove nothing)', async () => {
    expect((await test.driver.run('3')).status).toBe('succeeded');
    expect((await test.driver.run('4')).status).toBe('succeeded');
    // Remove one copied minute and add one unrelated minute: the counts stay equal.
    await test.database
      .sql`delete from public.data_bars where id = (select id from public.data_bars where canonical_symbol = 'DXY' order by ts_utc limit 1 offset 50)`;
    await test.database
      .sql`insert into public.data_bars (canonical_symbol, timeframe, ts_utc, open, high, low, close, vol, source, ingested_at, raw)
                            values ('DXY', '1m', '2026-11-21T12:00:00Z', 104, 104, 104, 104, 0, 'synthetic', now(), '{"kind":"dxy","version":1}')`;
    const { compareCopy } = await import('../phases/4-copy/verify-copy');
    const comparison = await compareCopy(test.database.sql, { to: MIDWEEK_NOW });
    expect(comparison.missing.total).toBe(1);
    expect(comparison.extras.total).toBe(1);
    expect(comparison.extras.samples[0]?.explanation).toMatch(/new path/);
  });

  it('phase 2 reports duplicated keys, and the fix builds nothing until they are gone; then it builds CONCURRENTLY', async () => {
    await test.database.sql`drop index public.idx_data_bars_sym_tf_ts`;
    await test.database
      .sql`insert into public.data_bars (canonical_symbol, provider_ticker, timeframe, ts_utc, open, high, low, close, source, raw)
                            select canonical_symbol, provider_ticker, timeframe, ts_utc, open, high, low, close, source, raw
                              from public.data_bars where canonical_symbol = 'EURUSD' order by ts_utc desc limit 2`;
    const report = await test.driver.run('2');
    const key = report.verification?.checks.find((c) => c.name.startsWith('Unique key'));
    expect(key?.passed).toBe(false);
    expect(key?.detail).toContain('2 keys are duplicated');
    const fix = await test.driver.run('2-fix');
    expect(fix.status).toBe('failed');
    expect(fix.error).toMatch(/2 duplicated .* keys/);
    const indexes = await test.database
      .sql`select indexname from pg_indexes where tablename = 'data_bars' and indexdef ilike '%unique%'`;
    expect(indexes.map((i) => i.indexname)).toEqual(['data_bars_pkey']);
    // Resolve the duplicates, then the fix builds the index.
    await test.database.sql`delete from public.data_bars a using public.data_bars b
                             where a.canonical_symbol = b.canonical_symbol and a.timeframe = b.timeframe and a.ts_utc = b.ts_utc and a.id > b.id`;
    const retry = await test.driver.run('2-fix');
    expect(retry.status, failedChecks(retry)).toBe('succeeded');
    const [built] = await test.database.sql`select indisvalid from pg_index i join pg_class c on c.oid = i.indexrelid
                                            where c.relname = 'data_bars_symbol_tf_ts_uidx'`;
    expect(built?.indisvalid).toBe(true);
    const events = await test.database
      .sql`select message from cutover.phase_run_events where message like '%CONCURRENTLY%'`;
    expect(events.length).toBeGreaterThan(0);
  });

  it('phase 3 skips and counts a minute with a missing component', async () => {
    const [gap] = await test.database.sql<{ ts_utc: Date }[]>`
      delete from public.data_bars where id = (
        select id from public.data_bars where canonical_symbol = 'USDSEK' and ts_utc < ${MIDWEEK_NOW} order by ts_utc desc limit 1 offset 10)
      returning ts_utc`;
    // The legacy minute would have been skipped too: remove it as the legacy writer would never have written it.
    await test.database
      .sql`delete from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${gap?.ts_utc as Date}`;
    const run = await test.driver.run('3');
    expect(run.status, failedChecks(run)).toBe('succeeded');
    const result = run.result.test as { skippedIncomplete: number; functionResult: { skipped: number } };
    expect(result.skippedIncomplete).toBeGreaterThanOrEqual(1);
    expect(result.functionResult.skipped).toBe(result.skippedIncomplete);
  });

  it('phase 6 fails when the tick-factory is stopped (the recent window is empty)', async () => {
    await test.driver.runThrough(['3', '4', '5']);
    await test.database.sql`update cutover.rehearsal_workers set paused = true`;
    test.driver.clock.advance(20 * 60_000);
    const run = await test.driver.run('6');
    expect(run.status).toBe('failed');
    const failing = run.verification?.checks.filter((c) => !c.passed).map((c) => c.name);
    expect(failing).toContain('New function produces DXY rows');
    expect(failing).toContain('Workers healthy in the expected mode');
  });
});
