import { beforeAll, describe, expect, it } from 'vitest';
import { MIDWEEK_NOW } from '../../../test-support/test-world';
import { useTestWorld } from '../../../test-support/world-database';
import { formulaDxy, isComplete, readWorldMinutes, relativeDifference } from '../../../test-support/world-minutes';
import type { WorkerMode } from '../../db/console-schema';
import { listProviderRevisions } from '../../db/tables/rehearsal-ingestion';
import { calcDxyRange1mSql } from '../../runbook/phases/3-function/calc-dxy-range-1m';
import { MINUTE_MS } from '../../time-units';
import { fixedClock } from '../clock';
import { REVISION_LOOKBACK_MINUTES } from './provider-revisions';
import { SECOND_LEGACY_WRITER_APPLICATION_NAME } from './second-legacy-writer';
import { tickSimulatedWorkers } from './simulated-workers';

describe('provider revisions: the tick-factory overwrites the bar and re-derives DXY over it', () => {
  // 60 an hour: every run revises one recent component bar.
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 1, ingestion: { revisionsPerHour: 60 } });
  const clock = fixedClock(MIDWEEK_NOW);

  beforeAll(async () => {
    await test.database.sql.unsafe(calcDxyRange1mSql({ setsUpdatedAt: false }));
  });

  const setMode = (mode: WorkerMode) =>
    test.database.sql`update cutover.rehearsal_workers set mode = ${mode} where id = 1`;

  async function advance(minutes: number) {
    clock.advance(minutes * MINUTE_MS);
    const result = await tickSimulatedWorkers(test.database.sql, { now: clock.now() });
    expect(result.errors).toEqual([]);
    return result;
  }

  it('legacy: each revision changes the bar and the legacy DXY of its minute to the formula over the revised closes', async () => {
    await advance(10);
    const revisions = await listProviderRevisions(test.database.sql);
    expect(revisions).toHaveLength(10);
    const minutes = await readWorldMinutes(
      test.database.sql,
      new Date(MIDWEEK_NOW.getTime() - REVISION_LOOKBACK_MINUTES * MINUTE_MS),
      clock.now(),
    );
    // Some revisions reach back before the minute their run was for: re-derived, not just derived.
    expect(revisions.some((r) => r.tsUtc.getTime() < r.revisedAt.getTime() - MINUTE_MS)).toBe(true);
    for (const revision of revisions) {
      expect(revision.revisedAt.getTime() - revision.tsUtc.getTime()).toBeLessThanOrEqual(
        REVISION_LOOKBACK_MINUTES * MINUTE_MS,
      );
      expect(relativeDifference(revision.newClose, revision.oldClose)).toBeGreaterThan(1e-5);
      const minute = minutes.find((m) => m.minute.getTime() === revision.tsUtc.getTime());
      expect(minute?.components.get(revision.symbol)?.close).toBe(
        revisions.findLast((r) => r.symbol === revision.symbol && r.tsUtc.getTime() === revision.tsUtc.getTime())
          ?.newClose,
      );
    }
    for (const minute of minutes) {
      if (minute.legacy === null) continue;
      expect(relativeDifference(minute.legacy, formulaDxy(minute) as number)).toBeLessThan(1e-12);
    }
    const [run] = await test.database.sql<{ stats: { revised?: { symbol: string } } }[]>`
      select stats from public.ops_runlog where job_name = 'tick_factory' order by id desc limit 1`;
    expect(run?.stats.revised?.symbol).toBe(revisions.at(-1)?.symbol);
  });

  it("dual: a revision changes legacy and data_bars' DXY row alike", async () => {
    const switched = clock.now();
    await setMode('dual');
    await advance(15);
    const revisions = (await listProviderRevisions(test.database.sql)).filter(
      (r) => r.revisedAt > switched && r.tsUtc >= switched,
    );
    expect(revisions.length).toBeGreaterThan(0);
    const minutes = await readWorldMinutes(test.database.sql, switched, clock.now());
    let revisedDual = 0;
    for (const minute of minutes) {
      expect(minute.dataBars !== null).toBe(isComplete(minute));
      if (minute.dataBars === null) continue;
      expect(relativeDifference(minute.dataBars, formulaDxy(minute) as number)).toBeLessThan(1e-12);
      expect(relativeDifference(minute.dataBars, minute.legacy as number)).toBeLessThan(1e-12);
      if (revisions.some((r) => r.tsUtc.getTime() === minute.minute.getTime())) revisedDual += 1;
    }
    expect(revisedDual).toBeGreaterThan(0);
  });

  it('revises nothing on a tick at the same time', async () => {
    const before = (await listProviderRevisions(test.database.sql)).length;
    expect((await tickSimulatedWorkers(test.database.sql, { now: clock.now() })).minutesProduced).toBe(0);
    expect(await listProviderRevisions(test.database.sql)).toHaveLength(before);
  });
});

describe('a second legacy writer the deploy does not control', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 1, ingestion: { secondWriterMinutes: 20 } });
  const clock = fixedClock(MIDWEEK_NOW);

  beforeAll(async () => {
    await test.database.sql.unsafe(calcDxyRange1mSql({ setsUpdatedAt: false }));
    // Who writes legacy DXY, as a fence's trigger would see it.
    await test.database.sql.unsafe(`
      CREATE TABLE public.seen_legacy_writers (application_name text, rows integer);
      CREATE FUNCTION public.note_legacy_writer() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO public.seen_legacy_writers
          SELECT current_setting('application_name'), count(*) FROM changed
           WHERE canonical_symbol = 'DXY' AND timeframe = '1m' HAVING count(*) > 0;
        RETURN NULL;
      END $$;
      CREATE TRIGGER note_legacy_writer AFTER INSERT ON public.derived_data_bars
        REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.note_legacy_writer();`);
    await test.database.sql`update cutover.rehearsal_workers set mode = 'final' where id = 1`;
  });

  const legacyBetween = async (from: Date, to: Date) =>
    (await readWorldMinutes(test.database.sql, from, to)).filter((m) => m.legacy !== null);

  it('writes legacy DXY every 20 minutes over the last 20, even with the workers in mode final', async () => {
    // 14:30 → 14:55: the 14:40 slot derives [14:20, 14:40); the tick-factory (final) writes no legacy row.
    const result = await (async () => {
      clock.advance(25 * MINUTE_MS);
      return tickSimulatedWorkers(test.database.sql, { now: clock.now() });
    })();
    expect(result.errors).toEqual([]);
    expect(result.secondWriter).toMatchObject({
      from: new Date('2026-11-25T14:20:00Z'),
      to: new Date('2026-11-25T14:40:00Z'),
      result: { success: true },
    });
    const written = await readWorldMinutes(test.database.sql, MIDWEEK_NOW, new Date('2026-11-25T14:40:00Z'));
    expect(written.filter((m) => m.legacy !== null).length).toBe(written.filter(isComplete).length);
    expect(written.filter(isComplete).length).toBeGreaterThanOrEqual(8);
    expect(await legacyBetween(new Date('2026-11-25T14:40:00Z'), clock.now())).toEqual([]);
    const seen = await test.database.sql<{ application_name: string; rows: number }[]>`
      select application_name, rows from public.seen_legacy_writers`;
    expect(seen).toEqual([
      { application_name: SECOND_LEGACY_WRITER_APPLICATION_NAME, rows: written.filter(isComplete).length },
    ]);
  });

  it('writes nothing to ops_runlog and runs once per slot', async () => {
    const [jobs] = await test.database.sql<{ other: number }[]>`
      select count(*) filter (where job_name not in ('tick_factory', 'aggregator'))::int as other from public.ops_runlog`;
    expect(jobs?.other).toBe(0);
    const again = await tickSimulatedWorkers(test.database.sql, { now: clock.now() });
    expect(again.secondWriter).toBeNull();
  });

  it('keeps writing while the tick-factory is stopped, and catches the next slot only', async () => {
    await test.database.sql`update cutover.rehearsal_workers set paused = true where id = 1`;
    clock.advance(20 * MINUTE_MS);
    // 15:15: the 15:00 slot derives [14:40, 15:00), which the tick-factory ingested before it stopped.
    const result = await tickSimulatedWorkers(test.database.sql, { now: clock.now() });
    expect(result.minutesProduced).toBe(0);
    expect(result.secondWriter).toMatchObject({
      from: new Date('2026-11-25T14:40:00Z'),
      to: new Date('2026-11-25T15:00:00Z'),
    });
    const window = await readWorldMinutes(test.database.sql, new Date('2026-11-25T14:40:00Z'), clock.now());
    expect(window.filter((m) => (m.legacy !== null) !== isComplete(m))).toEqual([]);
    expect(window.filter((m) => m.legacy !== null).length).toBeGreaterThanOrEqual(12);
  });
});
