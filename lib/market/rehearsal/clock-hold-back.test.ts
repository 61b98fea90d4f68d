import { describe, expect, it } from 'vitest';
import { MIDWEEK_NOW } from '../../../test-support/test-world';
import { useTestWorld } from '../../../test-support/world-database';
import { runbookConfigFromEnv } from '../../runbook/engine/config';
import { runbookRunnerTick } from '../../runbook/runbook-runner';
import { loadClock, WORKERS_LEAD_LIMIT_MS } from '../clock';

describe('the rehearsal clock under a speed the simulated workers cannot sustain', () => {
  const test = useTestWorld({ days: 1, now: MIDWEEK_NOW });

  const nextMinute = async () => {
    const [row] = await test.database.sql<{ next_minute: Date }[]>`
      select next_minute from cutover.rehearsal_workers where id = 1`;
    return row?.next_minute.getTime() ?? Number.NaN;
  };

  it('is held within the lead limit of the tick-factory, and the runner ticks again at once', async () => {
    const config = { ...runbookConfigFromEnv({}), dumpDirectory: null };
    // 50 000×: a wall millisecond is 50 simulated seconds; two cores produce nowhere near that.
    const ticks: boolean[] = [];
    for (let i = 0; i < 8; i++) {
      const { moreWork } = await runbookRunnerTick(test.database, { speed: 50_000, owner: 'hold-back-test', config });
      ticks.push(moreWork);
      const clock = await loadClock(test.database.sql);
      expect(clock.speed).toBe(50_000);
      expect(clock.now().getTime() - (await nextMinute())).toBeLessThanOrEqual(WORKERS_LEAD_LIMIT_MS);
    }
    // The first tick re-anchors at the new speed; from then on the workers set the pace.
    expect(ticks.slice(1)).toEqual(Array(7).fill(true));
    const clock = await loadClock(test.database.sql);
    expect(clock.heldBack).toBe(true);
    // Time moved on with the workers (at least one minute per tick), with no lag the simulation made.
    expect((await nextMinute()) - MIDWEEK_NOW.getTime()).toBeGreaterThanOrEqual(7 * 60_000);
    const [lag] = await test.database.sql<{ failed: number }[]>`
      select count(*)::int as failed from public.ops_runlog where status = 'failed'`;
    expect(lag?.failed).toBe(0);
  });
});
