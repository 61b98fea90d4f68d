/**
 * Validate's write trials meet the live workers' locks (docs/phases.md "Validate — before the
 * night"): a trial that hits the lock timeout or a deadlock is rolled back and tried again, and
 * only a conflict that lasts through every attempt makes it NO-GO. A real lock held by another
 * session stands in for a worker mid-write.
 */
import { describe, expect, it } from 'vitest';
import { holdWriterLock } from '../../../test-support/hold-table-lock';
import { useTestWorld } from '../../../test-support/world-database';
import { runbookConfigFromEnv } from '../engine/config';
import { runBound } from '../engine/statements';
import { installFence, removeFence } from '../phases/shared/legacy-fence';
import { TRIAL_ATTEMPTS, trial } from './trial-support';
import { go } from './verdict';

const config = { ...runbookConfigFromEnv({}), dumpDirectory: null, ddlLockTimeoutMs: 200 };

describe('a write trial crossed by a live writer’s lock', () => {
  const world = useTestWorld({ days: 1 });

  /** Another session holding the lock a legacy writer holds mid-insert, until released. */
  const fenceWork = (onAttempt: (attempt: number) => Promise<void>) => {
    let attempt = 0;
    return async (tx: Parameters<Parameters<typeof trial>[3]>[0]) => {
      attempt += 1;
      await onAttempt(attempt);
      await installFence(tx, runBound, { at: new Date() });
      await removeFence(tx, runBound);
      return go('write-trial', 'fence', 'installed and removed');
    };
  };

  it('is retried after the lock timeout, and goes once the writer is done, saying so', async () => {
    const lock = await holdWriterLock(world.database.sql, 'public.derived_data_bars');
    const item = await trial(
      'fence',
      world.database.sql,
      config,
      fenceWork(async (attempt) => {
        if (attempt === 2) await lock.release();
      }),
    );
    expect(item.status).toBe('go');
    expect(item.reason).toMatch(/^installed and removed \(after 1 retried lock conflicts: .*lock timeout/);
  });

  it(`is NO-GO when the conflict lasts through all ${TRIAL_ATTEMPTS} attempts`, async () => {
    const lock = await holdWriterLock(world.database.sql, 'public.derived_data_bars');
    const attempts: number[] = [];
    try {
      const item = await trial(
        'fence',
        world.database.sql,
        config,
        fenceWork(async (attempt) => {
          attempts.push(attempt);
        }),
      );
      expect(item.status).toBe('no-go');
      expect(item.reason).toMatch(/after 2 retried lock conflicts: .*lock timeout/);
      expect(attempts).toEqual([1, 2, 3]);
    } finally {
      await lock.release();
    }
  });
});
