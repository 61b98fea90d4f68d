import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test-support/test-database';
import {
  anchorRehearsalClock,
  heartbeatRehearsalClock,
  loadClock,
  rehearsalSpeedFromEnv,
  simulatedTime,
} from './clock';

describe('the clock', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase();
  });
  afterAll(async () => {
    await test.drop();
  });

  it('is wall time in a database without a rehearsal anchor', async () => {
    const clock = await loadClock(test.database.db);
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
    await anchorRehearsalClock(test.database.db, { simStart, speed: 60 });
    // Pretend the last heartbeat was an hour ago, 2 wall seconds after the anchor.
    await test.database.sql`
      update cutover.rehearsal_clock
         set anchor_wall = now() - interval '1 hour', heartbeat_wall = now() - interval '1 hour' + interval '2 seconds'`;
    const clock = await heartbeatRehearsalClock(test.database.db);
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
    const clock = await heartbeatRehearsalClock(test.database.db, { speed: 600 });
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
});
