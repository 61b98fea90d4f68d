import { describe, expect, it } from 'vitest';
import { failedChecks } from '../../../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../../../test-support/test-world';
import { type TestWorld, useTestWorld } from '../../../test-support/world-database';
import { floorToMinute } from '../../market/market-hours';
import { MINUTE_MS } from '../../time-units';
import { compareCopy, copyChecks } from '../phases/4-copy/verify-copy';
import { runBridge } from '../tick-jobs/bridge';

/**
 * Revisions flow through (docs/phases.md "Who owns a DXY row"): a provider revises a component bar,
 * the legacy path re-derives the minute, and the rows the console copied follow — at the next bridge
 * tick, in phase 7's gap fill, in phase 4 run again. A row another writer owns is never overwritten:
 * it is reported with its owner. Unchanged rows are never rewritten.
 */

const NEW_WRITER = 'synthetic/dxy (calc_dxy_range_1m, the new writer)';

/** Helpers over one test world. */
function revisionsOf(test: TestWorld) {
  const sql = () => test.database.sql;
  return {
    /** The newest legacy minute at least `minutes` before the clock (one with all six components). */
    async legacyMinuteAgo(minutes: number): Promise<Date> {
      const [row] = await sql()<{ ts: Date | null }[]>`
        select max(ts_utc) as ts from public.derived_data_bars
         where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null
           and ts_utc <= ${floorToMinute(new Date(test.driver.clock.now().getTime() - minutes * MINUTE_MS))}`;
      if (!row?.ts) throw new Error(`no legacy minute ${minutes} minutes back`);
      return row.ts;
    },
    /**
     * A provider revision as production makes one: EURUSD's bar of the minute gets another close, and
     * the legacy path re-derives DXY over the minute (by name, named arguments). Returns legacy's new close.
     */
    async revise(minute: Date, factor = 1.002): Promise<number> {
      await sql()`update public.data_bars set close = close * ${factor}::float8,
                         high = greatest(high, close * ${factor}::float8), low = least(low, close * ${factor}::float8)
                   where canonical_symbol = 'EURUSD' and timeframe = '1m' and ts_utc = ${minute}`;
      const [row] = await sql()<{ result: { updated: number } }[]>`
        select public.calc_dxy_range_derived(p_from_utc => ${minute}, p_to_utc => ${new Date(minute.getTime() + MINUTE_MS)}) as result`;
      expect(row?.result.updated).toBe(1);
      return (await this.row(minute)).legacy as number;
    },
    async row(minute: Date) {
      const [row] = await sql()<
        {
          open: number | null;
          high: number | null;
          low: number | null;
          close: number | null;
          raw: Record<string, unknown> | null;
          legacy: number | null;
        }[]
      >`
        select n.open, n.high, n.low, n.close, n.raw,
               (select close from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
                   and ts_utc = ${minute} and deleted_at is null) as legacy
          from (select 1) one
          left join public.data_bars n on n.canonical_symbol = 'DXY' and n.timeframe = '1m' and n.ts_utc = ${minute}`;
      if (!row) throw new Error('no row');
      return row;
    },
    /** Makes the minute's data_bars row calc_dxy_range_1m's own (deleted, then written by the new function). */
    async writeWithNewFunction(minute: Date) {
      await sql()`delete from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${minute}`;
      const [row] = await sql()<{ result: { inserted: number } }[]>`
        select public.calc_dxy_range_1m(p_from_utc => ${minute}, p_to_utc => ${new Date(minute.getTime() + MINUTE_MS)}) as result`;
      expect(row?.result.inserted).toBe(1);
    },
    /** Every DXY row's row version (xmin): a rewrite, even to the same values, changes it. */
    async versions(): Promise<Map<string, string>> {
      const rows = await sql()<{ ts_utc: Date; version: string }[]>`
        select ts_utc, xmin::text as version from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m'`;
      return new Map(rows.map((r) => [r.ts_utc.toISOString(), r.version]));
    },
    async phase5Events() {
      return sql()<{ level: string; message: string; data: { kind?: string; revised?: string[] } }[]>`
        select e.level, e.message, e.data from cutover.phase_run_events e
          join cutover.phase_runs r on r.id = e.phase_run_id
         where r.phase = '5' and r.status = 'succeeded' and e.data->>'kind' = 'bridge'
         order by e.id`;
    },
  };
}

describe('revisions flow through the bridge and phase 7’s gap fill', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 2 }, { through: ['1', '2-fix', '3', '4', '5'] });
  const world = revisionsOf(test);
  const tick = async () => {
    test.driver.clock.advance(MINUTE_MS);
    await test.driver.tick();
  };

  it('a revised legacy minute the copy wrote has its new values in data_bars after the next bridge tick', async () => {
    await tick();
    const minute = await world.legacyMinuteAgo(40);
    const before = await world.row(minute);
    expect(before.raw?.copied_from).toBe('derived_data_bars');
    const revised = await world.revise(minute);
    expect(revised).not.toBe(before.close);
    expect((await world.row(minute)).close).toBe(before.close);
    await tick();
    const after = await world.row(minute);
    expect([after.open, after.high, after.low, after.close]).toEqual([revised, revised, revised, revised]);
    expect(after.raw).toMatchObject({ kind: 'dxy', copied_from: 'derived_data_bars' });
    const events = await world.phase5Events();
    expect(events.at(-1)?.message).toMatch(/^The bridge rewrote 1 copied minutes legacy had revised/);
    expect(events.at(-1)?.data.revised).toEqual([minute.toISOString()]);
  });

  it('rewrites nothing when nothing changed: no row version moves, the count is 0', async () => {
    const now = test.driver.clock.now();
    await runBridge(test.database.sql, { now });
    const before = await world.versions();
    const again = await runBridge(test.database.sql, { now });
    expect(again.copied).toBe(0);
    expect(again.revised).toEqual([]);
    expect(await world.versions()).toEqual(before);
    // A difference within the comparison tolerance (relative 1e-9) is no revision either.
    const minute = await world.legacyMinuteAgo(30);
    await test.database.sql`update public.derived_data_bars set open = open * (1 + 1e-12), high = high * (1 + 1e-12),
                                   low = low * (1 + 1e-12), close = close * (1 + 1e-12)
                             where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${minute} and deleted_at is null`;
    expect((await runBridge(test.database.sql, { now })).revised).toEqual([]);
    expect(await world.versions()).toEqual(before);
  });

  it('re-derives a row calc_dxy_range_1m wrote with calc_dxy_range_1m after a provider revision: still its row', async () => {
    const minute = await world.legacyMinuteAgo(45);
    await world.writeWithNewFunction(minute);
    const revised = await world.revise(minute);
    const result = await runBridge(test.database.sql, { now: test.driver.clock.now() });
    expect(result.rederived.map((d) => d.toISOString())).toEqual([minute.toISOString()]);
    expect(result.revised.map((d) => d.toISOString())).not.toContain(minute.toISOString());
    const after = await world.row(minute);
    expect(after.close).toBeCloseTo(revised, 9);
    expect(after.raw?.copied_from).toBeUndefined();
    expect((await world.phase5Events()).at(-1)?.message).toMatch(/calc_dxy_range_1m re-derived 1 of its own minutes/);
    expect((await runBridge(test.database.sql, { now: test.driver.clock.now() })).rederived).toEqual([]);
  });

  it('never overwrites a row calc_dxy_range_1m wrote when the components do not explain the difference, and says whose it is, once', async () => {
    const minute = await world.legacyMinuteAgo(50);
    await world.writeWithNewFunction(minute);
    const written = (await world.row(minute)).close;
    expect((await world.row(minute)).raw?.copied_from).toBeUndefined();
    // Legacy's row changed without its components changing: re-deriving would not give legacy's value.
    await test.database
      .sql`update public.derived_data_bars set open = open * 1.002, high = high * 1.002, low = low * 1.002,
                                   close = close * 1.002
                             where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${minute} and deleted_at is null`;
    const revised = (await world.row(minute)).legacy as number;
    const eventsBefore = (await world.phase5Events()).length;
    const result = await runBridge(test.database.sql, { now: test.driver.clock.now() });
    expect(result.revised.map((d) => d.toISOString())).not.toContain(minute.toISOString());
    expect(result.notOverwritten.samples).toContainEqual({
      ts_utc: minute.toISOString(),
      owner: NEW_WRITER,
      close: written,
      legacy_close: revised,
    });
    expect((await world.row(minute)).close).toBe(written);
    const events = await world.phase5Events();
    expect(events).toHaveLength(eventsBefore + 1);
    expect(events.at(-1)?.level).toBe('warn');
    expect(events.at(-1)?.message).toContain(
      `1 owned by ${NEW_WRITER}, not overwritten (first: ${minute.toISOString()}`,
    );
    // The same differing row is not reported again at every tick.
    await runBridge(test.database.sql, { now: test.driver.clock.now() });
    expect(await world.phase5Events()).toHaveLength(eventsBefore + 1);
  });

  it('phase 7’s gap fill carries a revision made while the bridge stood aside, re-derives the new writer’s stale row, and lists one it cannot explain', async () => {
    const run6 = await test.driver.run('6');
    expect(run6.status, failedChecks(run6)).toBe('succeeded');
    // Older than the workers' derivation look-back, so only the gap fill can carry it.
    const minute = await world.legacyMinuteAgo(100);
    expect((await world.row(minute)).raw?.copied_from).toBe('derived_data_bars');
    const owned = await world.legacyMinuteAgo(110);
    await world.writeWithNewFunction(owned);
    const stray = await world.legacyMinuteAgo(120);
    await world.writeWithNewFunction(stray);
    const runId = await test.driver.start('7');
    // Phase 7 pending: the bridge stands aside; the provider revises two minutes now, and legacy's row of a
    // third changes without its components changing.
    const revised = await world.revise(minute);
    const ownedRevised = await world.revise(owned);
    await test.database
      .sql`update public.derived_data_bars set open = open * 1.002, high = high * 1.002, low = low * 1.002,
                                   close = close * 1.002
                             where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${stray} and deleted_at is null`;
    expect(await runBridge(test.database.sql, { now: test.driver.clock.now() })).toMatchObject({ revised: [] });
    const run = await test.driver.finish(runId);
    expect(run.status, failedChecks(run)).toBe('succeeded');
    expect((await world.row(minute)).close).toBe(revised);
    expect(run.result.revisedRows).toBe(1);
    expect(run.result.revisedSamples).toEqual([minute.toISOString()]);
    expect(run.result.rederivedRows).toBe(1);
    expect((await world.row(owned)).close).toBeCloseTo(ownedRevised, 9);
    expect((await world.row(owned)).raw?.copied_from).toBeUndefined();
    const notOverwritten = run.result.notOverwritten as { samples: { ts_utc: string; owner: string }[] };
    expect(notOverwritten.samples).toContainEqual(
      expect.objectContaining({ ts_utc: stray.toISOString(), owner: NEW_WRITER }),
    );
    expect(notOverwritten.samples.map((s) => s.ts_utc)).not.toContain(owned.toISOString());
    expect((await world.row(stray)).close).not.toBe((await world.row(stray)).legacy);
  });
});

describe('revisions flow through phase 4 run again', () => {
  const test = useTestWorld(
    { now: MIDWEEK_NOW, days: 2 },
    { config: { copyBatchRows: 500 }, through: ['1', '2-fix', '3', '4'] },
  );
  const world = revisionsOf(test);
  const sameClose = (checks: ReturnType<typeof copyChecks>) => checks.find((c) => c.name.startsWith('Same close'));

  it('rewrites the minutes legacy revised since the copy, and only those; run again, it rewrites none', async () => {
    const minute = await world.legacyMinuteAgo(120);
    const revised = await world.revise(minute);
    const found = sameClose(copyChecks(await compareCopy(test.database.sql, { to: test.driver.clock.now() })));
    expect(found?.passed).toBe(false);
    expect(found?.detail).toContain(
      `1 minutes differ, first: ${minute.toISOString()}; of those listed: 1 written by the copy and revised in legacy`,
    );
    const run = await test.driver.run('4', { method: 'copy' });
    expect(run.status, failedChecks(run)).toBe('succeeded');
    expect(run.checkpoint.rowsRevised).toBe(1);
    expect(run.progress).toMatchObject({ rowsRevised: 1 });
    expect((await world.row(minute)).close).toBe(revised);
    const before = await world.versions();
    const again = await test.driver.run('4', { method: 'copy' });
    expect(again.status, failedChecks(again)).toBe('succeeded');
    expect(again.checkpoint.rowsRevised).toBe(0);
    // Only the minutes the workers wrote meanwhile were added; no row that was there moved.
    const after = await world.versions();
    expect([...before].filter(([ts, version]) => after.get(ts) !== version)).toEqual([]);
  });

  it('catches up before verifying: revised rows calc_dxy_range_1m owns are re-derived by it, in the last batch', async () => {
    // One recent; one ten hours back, long before this run's phase 4 (as a rollback that kept data_bars leaves them).
    const minutes = [await world.legacyMinuteAgo(30), await world.legacyMinuteAgo(600)];
    const revised: number[] = [];
    for (const minute of minutes) {
      await world.writeWithNewFunction(minute);
      revised.push(await world.revise(minute));
    }
    const run = await test.driver.run('4', { method: 'copy' });
    expect(run.status, failedChecks(run)).toBe('succeeded');
    expect(run.checkpoint.catchUp).toMatchObject({ rederived: 2 });
    for (const [i, minute] of minutes.entries()) {
      const row = await world.row(minute);
      expect(row.close).toBeCloseTo(revised[i] as number, 9);
      // Still the new writer's row: re-derived, not copied over.
      expect(row.raw?.copied_from).toBeUndefined();
    }
  });

  it('never overwrites another writer’s row: the verification fails naming its owner', async () => {
    const minute = await world.legacyMinuteAgo(130);
    await world.writeWithNewFunction(minute);
    const written = (await world.row(minute)).close;
    // Legacy changed in a way the components do not explain: the catch-up does not re-derive it either.
    await test.database.sql`update public.derived_data_bars set close = close * 1.003
                             where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${minute} and deleted_at is null`;
    const run = await test.driver.run('4', { method: 'copy' });
    expect(run.status).toBe('failed');
    expect(run.checkpoint.catchUp).toMatchObject({ rederived: 0 });
    expect(run.checkpoint.rowsRevised).toBe(0);
    expect((await world.row(minute)).close).toBe(written);
    const check = run.verification?.checks.find((c) => c.name.startsWith('Same close'));
    expect(check?.passed).toBe(false);
    expect(check?.detail).toContain(
      `1 minutes differ, first: ${minute.toISOString()}; of those listed: 1 owned by ${NEW_WRITER}, not overwritten by the copy`,
    );
  });
});

describe('phase 4’s verification after its catch-up', () => {
  const test = useTestWorld(
    { now: MIDWEEK_NOW, days: 2 },
    { config: { copyBatchRows: 500 }, through: ['1', '2-fix', '3', '4'] },
  );
  const world = revisionsOf(test);
  const sameClose = (checks: ReturnType<typeof copyChecks>) => checks.find((c) => c.name.startsWith('Same close'));

  it('excuses only a difference whose legacy row changed after the catch-up', async () => {
    const minute = await world.legacyMinuteAgo(40);
    const [before] = await test.database.sql<{ at: Date }[]>`select clock_timestamp() as at`;
    await world.revise(minute);
    const to = test.driver.clock.now();
    const excused = copyChecks(await compareCopy(test.database.sql, { to, revisedSince: before?.at }));
    expect(sameClose(excused)?.passed).toBe(true);
    const finding = excused.find((c) => c.name.startsWith('Legacy minutes revised after'));
    expect(finding?.detail).toContain(`1 legacy minutes changed after ${before?.at.toISOString()}`);
    const [after] = await test.database.sql<{ at: Date }[]>`select clock_timestamp() as at`;
    const judged = copyChecks(await compareCopy(test.database.sql, { to, revisedSince: after?.at }));
    expect(sameClose(judged)?.passed).toBe(false);
    expect(sameClose(judged)?.detail).toContain(`1 minutes differ, first: ${minute.toISOString()}`);
  });
});
