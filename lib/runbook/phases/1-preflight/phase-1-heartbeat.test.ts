import { describe, expect, it } from 'vitest';
import { failedChecks } from '../../../../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../../../../test-support/test-world';
import { useTestWorld } from '../../../../test-support/world-database';

/**
 * Phase 1's backup is one REPEATABLE READ step; the runner's heartbeat renews the run's lease from
 * another connection every third of the lease. A backup longer than that (ten years of history)
 * used to fail its commit on the renewed row ("could not serialize access due to concurrent
 * update") and retry from the start for ever. A lease of 60 ms makes every backup longer than the
 * heartbeat's 20 ms interval here.
 */
describe('phase 1: a backup longer than the heartbeat interval', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 2 }, { config: { leaseSeconds: 0.06 } });

  it('commits once, with the lease renewed by its own commit, and no retry', async () => {
    const runId = await test.driver.start('1');
    const run = await test.driver.finish(runId, { maxTicks: 20 });
    expect(run.status, failedChecks(run)).toBe('succeeded');
    const retries = await test.database.sql<{ message: string }[]>`
      select message from cutover.phase_run_events where phase_run_id = ${runId} and level = 'warn'
         and message like 'Database unavailable%'`;
    expect(retries.map((r) => r.message)).toEqual([]);
  });
});
