import { beforeAll, describe, expect, it } from 'vitest';
import { MIDWEEK_NOW } from '../../../test-support/test-world';
import { useTestWorld } from '../../../test-support/world-database';
import {
  formulaDxy,
  isComplete,
  readWorldMinutes,
  relativeDifference,
  type WorldMinute,
} from '../../../test-support/world-minutes';
import type { WorkerMode } from '../../db/console-schema';
import { holdBackSymbol, readSymbolIngestion } from '../../db/tables/rehearsal-ingestion';
import { pauseRehearsalWorkers, resumeRehearsalWorkers } from '../../db/tables/rehearsal-workers';
import { calcDxyRange1mSql } from '../../runbook/phases/3-function/calc-dxy-range-1m';
import { MINUTE_MS } from '../../time-units';
import { fixedClock } from '../clock';
import { DXY_COMPONENTS } from '../dxy';
import { DERIVE_LOOKBACK_MINUTES } from './derive-dxy';
import { MAX_LAG_MINUTES } from './ingest-schedule';
import { tickSimulatedWorkers } from './simulated-workers';

describe('staggered ingestion: each component on its own schedule, legacy DXY once all six are in', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 1, ingestion: { schedule: 'staggered' } });
  const clock = fixedClock(MIDWEEK_NOW);

  beforeAll(async () => {
    await test.database.sql.unsafe(calcDxyRange1mSql({ setsUpdatedAt: false }));
  });

  async function advance(minutes: number) {
    clock.advance(minutes * MINUTE_MS);
    const result = await tickSimulatedWorkers(test.database.sql, { now: clock.now() });
    expect(result.errors).toEqual([]);
    return result;
  }

  const sinceStart = () => readWorldMinutes(test.database.sql, MIDWEEK_NOW, clock.now());
  const cursorOf = async (symbol: string) =>
    (await readSymbolIngestion(test.database.sql)).find((s) => s.symbol === symbol)?.nextMinute as Date;

  /** Legacy DXY exists for exactly the minutes that hold all six components, at the formula's value. */
  function expectLegacyExactlyWhereComplete(minutes: WorldMinute[]) {
    for (const minute of minutes) {
      expect({ minute: minute.minute, legacy: minute.legacy !== null }).toEqual({
        minute: minute.minute,
        legacy: isComplete(minute),
      });
      if (minute.legacy !== null) {
        expect(relativeDifference(minute.legacy, formulaDxy(minute) as number)).toBeLessThan(1e-12);
      }
    }
  }

  let late: WorldMinute[] = [];

  it('lands the components of a minute in different runs, never before the minute has ended', async () => {
    const result = await advance(20);
    expect(result.minutesProduced).toBe(20);
    const minutes = await sinceStart();
    const landings = (m: WorldMinute) => new Set([...m.components.values()].map((c) => c.ingestedAt.getTime()));
    // Lags start spread over 0–4 minutes and change only now and then: most minutes land apart.
    expect(minutes.filter((m) => landings(m).size > 1).length).toBeGreaterThanOrEqual(10);
    for (const minute of minutes) {
      for (const component of minute.components.values()) {
        expect(component.ingestedAt.getTime() - minute.minute.getTime()).toBeGreaterThanOrEqual(62_000);
      }
    }
    // The newest minutes are still waiting for their late components.
    expect(minutes.slice(-MAX_LAG_MINUTES).some((m) => !isComplete(m))).toBe(true);
  });

  it('derives legacy DXY for a minute only once all six components are in', async () => {
    expectLegacyExactlyWhereComplete(await sinceStart());
  });

  it('a held-back component lands nothing until the hold ends; the others keep landing', async () => {
    // Hold the component that is furthest ahead, so the minutes still incomplete now lack another one.
    const cursors = await readSymbolIngestion(test.database.sql);
    const components = cursors.filter((c) => (DXY_COMPONENTS as string[]).includes(c.symbol));
    const ahead = components.reduce((a, b) => (b.nextMinute > a.nextMinute ? b : a));
    // Only one hold at a time: a random one from the last runs gives way to the test's.
    await test.database.sql`update cutover.rehearsal_ingestion set held_until = null`;
    const until = new Date(clock.now().getTime() + 35 * MINUTE_MS);
    await holdBackSymbol(test.database.sql, { symbol: ahead.symbol, until });
    late = (await sinceStart()).filter((m) => !isComplete(m) && m.minute < ahead.nextMinute);
    expect(late.length).toBeGreaterThan(0);
    const heldFrom = ahead.nextMinute;

    await advance(10);
    expect((await cursorOf(ahead.symbol)).getTime()).toBe(heldFrom.getTime());
    const minutes = await sinceStart();
    const [landed] = await test.database.sql<{ n: number }[]>`
      select count(*)::int as n from public.data_bars where canonical_symbol = ${ahead.symbol} and ts_utc >= ${heldFrom}`;
    expect(landed?.n).toBe(0);
    expect(minutes.filter((m) => m.minute >= heldFrom && m.legacy !== null)).toEqual([]);
    expectLegacyExactlyWhereComplete(minutes);
    // The minutes that were late a moment ago are derived now, unless a bar of theirs is a provider gap
    // (its symbol's cursor has moved past the minute without it).
    const after = await readSymbolIngestion(test.database.sql);
    let derivedLate = 0;
    for (const before of late) {
      const now = minutes.find((m) => m.minute.getTime() === before.minute.getTime()) as WorldMinute;
      if (now.legacy !== null) {
        derivedLate += 1;
        continue;
      }
      const missing = DXY_COMPONENTS.filter((s) => !now.components.has(s));
      const passed = missing.every((s) => (after.find((a) => a.symbol === s)?.nextMinute as Date) > now.minute);
      expect({ minute: now.minute, missing, passed }).toEqual({ minute: now.minute, missing, passed: true });
    }
    expect(derivedLate).toBeGreaterThan(0);

    // Past the hold: every held bar lands in the one run at its end.
    await advance(30);
    const held = await test.database.sql<{ ts_utc: Date; ingested_at: Date }[]>`
      select ts_utc, ingested_at from public.data_bars
       where canonical_symbol = ${ahead.symbol} and ts_utc >= ${heldFrom}
         and ts_utc < ${new Date(until.getTime() - MAX_LAG_MINUTES * MINUTE_MS)} order by ts_utc`;
    expect(held.length).toBeGreaterThanOrEqual(25);
    expect(new Set(held.map((b) => b.ingested_at.getTime()))).toEqual(new Set([until.getTime() + 2_000]));
    const final = await sinceStart();
    expectLegacyExactlyWhereComplete(final);
    expect(final.filter((m) => m.minute >= heldFrom && m.minute < until && m.legacy !== null).length).toBeGreaterThan(
      25,
    );
  });

  const setMode = (mode: WorkerMode) =>
    test.database.sql`update cutover.rehearsal_workers set mode = ${mode} where id = 1`;

  it('dual: both paths derive the complete minutes of the look-back window, with the same close', async () => {
    await setMode('dual');
    await advance(15);
    const window = await readWorldMinutes(
      test.database.sql,
      new Date(clock.now().getTime() - DERIVE_LOOKBACK_MINUTES * MINUTE_MS),
      clock.now(),
    );
    for (const minute of window) {
      expect({ minute: minute.minute, dataBars: minute.dataBars !== null }).toEqual({
        minute: minute.minute,
        dataBars: isComplete(minute),
      });
      if (minute.dataBars !== null)
        expect(relativeDifference(minute.dataBars, minute.legacy as number)).toBeLessThan(1e-12);
    }
    expectLegacyExactlyWhereComplete(window);
  });

  it('final: data_bars only; legacy DXY stops at the switch', async () => {
    const switched = clock.now();
    await setMode('final');
    await advance(10);
    const minutes = await readWorldMinutes(test.database.sql, switched, clock.now());
    expect(minutes.filter((m) => m.legacy !== null)).toEqual([]);
    expect(minutes.filter((m) => (m.dataBars !== null) !== isComplete(m))).toEqual([]);
  });

  it("is restart-safe: a tick at the same time changes nothing, and no bar lies ahead of its symbol's progress", async () => {
    const snapshot = async () => {
      const [counts] = await test.database.sql`
        select (select count(*)::int from public.data_bars) as bars,
               (select count(*)::int from public.derived_data_bars) as derived,
               (select count(*)::int from public.ops_runlog) as runs`;
      return { counts, progress: await readSymbolIngestion(test.database.sql) };
    };
    const before = await snapshot();
    const again = await tickSimulatedWorkers(test.database.sql, { now: clock.now() });
    expect(again.minutesProduced).toBe(0);
    expect(await snapshot()).toEqual(before);
    const ahead = await test.database.sql<{ symbol: string; n: number }[]>`
      select i.symbol, count(b.*)::int as n from cutover.rehearsal_ingestion i
        left join public.data_bars b on b.canonical_symbol = i.symbol and b.timeframe = '1m' and b.ts_utc >= i.next_minute
       group by i.symbol having count(b.*) > 0`;
    expect(ahead).toEqual([]);

    await advance(1);
    const landed = await test.database.sql<{ canonical_symbol: string; ts_utc: Date }[]>`
      select canonical_symbol, ts_utc from public.data_bars
       where timeframe = '1m' and canonical_symbol <> 'DXY' and ingested_at = ${new Date(clock.now().getTime() + 2_000)}`;
    for (const bar of landed) {
      const from = before.progress.find((p) => p.symbol === bar.canonical_symbol)?.nextMinute as Date;
      expect(bar.ts_utc.getTime()).toBeGreaterThanOrEqual(from.getTime());
    }
  });

  it('a stopped tick-factory leaves its stop missing for every symbol, late bars included, and resumes at the restart', async () => {
    await pauseRehearsalWorkers(test.database.sql);
    const stopped = clock.now();
    // The last run before the stop landed its bars at stopped + 2 s.
    const lastLanding = new Date(stopped.getTime() + 2_000);
    const pending = await readSymbolIngestion(test.database.sql);
    await advance(10);
    const restarted = clock.now();
    await resumeRehearsalWorkers(test.database.sql, { minute: restarted });
    expect((await readSymbolIngestion(test.database.sql)).map((s) => s.nextMinute.getTime())).toEqual(
      pending.map(() => restarted.getTime()),
    );
    await advance(10);
    const [row] = await test.database.sql<{ late: number; stopped: number; after: number }[]>`
      select count(*) filter (where ts_utc < ${restarted} and ingested_at > ${lastLanding})::int as late,
             count(*) filter (where ts_utc >= ${stopped} and ts_utc < ${restarted})::int as stopped,
             count(*) filter (where ts_utc >= ${restarted})::int as after
        from public.data_bars where timeframe = '1m' and canonical_symbol = any(${DXY_COMPONENTS as string[]}::text[])`;
    expect(row).toMatchObject({ late: 0, stopped: 0 });
    expect(row?.after).toBeGreaterThan(20);
  });
});
