import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test-support/world-database';
import {
  anchorRehearsalClock,
  heartbeatRehearsalClock,
  loadClock,
  rehearsalSpeedFromEnv,
  simulatedTime,
  WORKERS_LEAD_LIMIT_MS,
} from './clock';

describe('the clock', () => {
  const test = useTestDatabase();

  it('is wall time in a database without a rehearsal anchor', async () => {
    const clock = await loadClock(test.database.sql);
    expect(clock.kind).toBe('wall');
    expect(Math.abs(clock.now().getTime() - Date.now())).toBeLessThan(1000);
  });

  it('runs REHEARSAL_SPEED times faster than wall time from its anchor', () => {
    const anchor = {
      anchorWall: new Date('2026-01-01T00:00:00Z'),
      anchorSim: new Date('2026-11-25T10:00:00Z'),
      speed: 60,
    };
    expect(simulatedTime(anchor, new Date('2026-01-01T00:00:10Z')).toISOString()).toBe('2026-11-25T10:10:00.000Z');
  });

  it('resumes from where rehearsal time stood still after the runner was away', async () => {
    const simStart = new Date('2026-11-25T10:00:00Z');
    await anchorRehearsalClock(test.database.sql, { simStart, speed: 60 });
    // Pretend the last heartbeat was an hour ago, 2 wall seconds (2 simulated minutes) after the anchor.
    await test.database.sql`
      update cutover.rehearsal_clock
         set anchor_wall = now() - interval '1 hour', heartbeat_wall = now() - interval '1 hour' + interval '2 seconds',
             heartbeat_sim = anchor_sim + interval '2 minutes'`;
    const clock = await heartbeatRehearsalClock(test.database.sql);
    const now = clock?.now().getTime() ?? 0;
    // 2 wall seconds × 60 = 2 simulated minutes, not 60 simulated hours.
    expect(now - simStart.getTime()).toBeGreaterThanOrEqual(120_000);
    expect(now - simStart.getTime()).toBeLessThan(180_000);
  });

  it('applies a new speed from the current simulated time', async () => {
    const readAnchor = async () => {
      const [row] = await test.database.sql<{ anchor_wall: Date; anchor_sim: Date; speed: number }[]>`
        select anchor_wall, anchor_sim, speed from cutover.rehearsal_clock`;
      return { anchorWall: row?.anchor_wall as Date, anchorSim: row?.anchor_sim as Date, speed: row?.speed as number };
    };
    const before = await readAnchor();
    const clock = await heartbeatRehearsalClock(test.database.sql, { speed: 600 });
    const after = await readAnchor();
    expect(clock?.speed).toBe(600);
    expect(after.speed).toBe(600);
    // Re-anchored exactly where the old speed had brought simulated time: no jump.
    expect(after.anchorSim.getTime()).toBe(simulatedTime(before, after.anchorWall).getTime());
  });

  it('rejects a mistyped REHEARSAL_SPEED', () => {
    expect(() => rehearsalSpeedFromEnv({ REHEARSAL_SPEED: 'fast' })).toThrow(/REHEARSAL_SPEED/);
    expect(() => rehearsalSpeedFromEnv({ REHEARSAL_SPEED: '-1' })).toThrow(/REHEARSAL_SPEED/);
    expect(rehearsalSpeedFromEnv({ REHEARSAL_SPEED: '60' })).toBe(60);
    expect(rehearsalSpeedFromEnv({})).toBeUndefined();
  });

  describe('held back by the simulated workers', () => {
    const simStart = new Date('2026-11-25T10:00:00Z');
    const nextMinute = async () => {
      const [row] = await test.database.sql<{ next_minute: Date }[]>`
        select next_minute from cutover.rehearsal_workers where id = 1`;
      return row?.next_minute.getTime() ?? Number.NaN;
    };
    /** Pretends `ms` of wall time passed since the last heartbeat (the anchor moves back by as much). */
    const wallPasses = (ms: number) =>
      test.database.sql`
        update cutover.rehearsal_clock
           set anchor_wall = anchor_wall - ${ms} * interval '1 millisecond',
               heartbeat_wall = heartbeat_wall - ${ms} * interval '1 millisecond'`;

    beforeAll(async () => {
      await test.database.sql`
        insert into cutover.rehearsal_workers (id, mode, paused, next_minute) values (1, 'legacy', false, ${simStart})`;
      await anchorRehearsalClock(test.database.sql, { simStart, speed: 600 });
    });

    it('never runs more than the lead limit ahead of the running tick-factory, for every reader', async () => {
      await wallPasses(10_000);
      // 10 wall seconds at 600× would be 100 simulated minutes; the tick-factory has produced none.
      const clock = await heartbeatRehearsalClock(test.database.sql);
      expect(clock?.heldBack).toBe(true);
      expect(clock?.now().getTime()).toBe(simStart.getTime() + WORKERS_LEAD_LIMIT_MS);
      const loaded = await loadClock(test.database.sql);
      expect(loaded.now().getTime()).toBe(simStart.getTime() + WORKERS_LEAD_LIMIT_MS);
      expect(loaded.heldBack).toBe(true);
    });

    it('slows to the pace the workers sustain and reports it as the effective speed', async () => {
      let previous = 0;
      let clock = await heartbeatRehearsalClock(test.database.sql);
      // The workers produce 2 simulated minutes per wall second (120×) while 600× is asked for.
      for (let second = 0; second < 40; second++) {
        await wallPasses(1_000);
        await test.database.sql`update cutover.rehearsal_workers set next_minute = next_minute + interval '2 minutes'`;
        clock = await heartbeatRehearsalClock(test.database.sql);
        const now = clock?.now().getTime() ?? 0;
        expect(now).toBeGreaterThanOrEqual(previous);
        expect(now - (await nextMinute())).toBeLessThanOrEqual(WORKERS_LEAD_LIMIT_MS);
        previous = now;
      }
      expect(clock?.speed).toBe(600);
      expect(clock?.effectiveSpeed).toBeGreaterThan(100);
      expect(clock?.effectiveSpeed).toBeLessThan(150);
    });

    it('runs at the requested speed again once the workers keep up, with little time owed', async () => {
      const before = (await heartbeatRehearsalClock(test.database.sql))?.now().getTime() ?? 0;
      // Workers far ahead (they are never ahead of the clock in practice; here the limit simply goes away).
      await test.database.sql`update cutover.rehearsal_workers set next_minute = next_minute + interval '1 day'`;
      await wallPasses(1_000);
      const clock = await heartbeatRehearsalClock(test.database.sql);
      expect(clock?.heldBack).toBe(false);
      const advanced = (clock?.now().getTime() ?? 0) - before;
      // One wall second at 600× plus at most three seconds' worth owed from the hold.
      expect(advanced).toBeGreaterThanOrEqual(600_000);
      expect(advanced).toBeLessThan(4 * 600_000 + 60_000);
    });

    it('runs free while the tick-factory is paused (an outage being rehearsed)', async () => {
      await test.database.sql`update cutover.rehearsal_workers set paused = true, next_minute = ${simStart}`;
      await wallPasses(5_000);
      const clock = await heartbeatRehearsalClock(test.database.sql);
      expect(clock?.heldBack).toBe(false);
      expect((clock?.now().getTime() ?? 0) - simStart.getTime()).toBeGreaterThan(WORKERS_LEAD_LIMIT_MS);
    });
  });
});
