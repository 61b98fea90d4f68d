/**
 * Phase 9's fence install under a live writer's lock: the step waits the lock timeout, rolls back
 * and is tried again; other errors are not retried; a lasting conflict fails after the attempts.
 */
import { describe, expect, it } from 'vitest';
import { holdWriterLock } from '../../../test-support/hold-table-lock';
import { useTestWorld } from '../../../test-support/world-database';
import { LOCK_CONFLICT_ATTEMPTS, retryOnLockConflict } from './lock-conflict-retry';
import type { PhaseContext } from './types';

describe('retryOnLockConflict', () => {
  const world = useTestWorld({ days: 1 });

  function recorder() {
    const lines: { message: string; level?: string }[] = [];
    const ctx: Pick<PhaseContext, 'log'> = {
      log: async (message, _data, level) => void lines.push({ message, level }),
    };
    return { lines, ctx };
  }

  /** A DDL step on the writers' table, as phase 9's install is: its own transaction, a short lock timeout. */
  const ddlStep = () =>
    world.database.sql.begin(async (tx) => {
      await tx.unsafe('SET LOCAL lock_timeout = 150');
      await tx.unsafe('ALTER TABLE public.derived_data_bars DISABLE TRIGGER USER');
      await tx.unsafe('ALTER TABLE public.derived_data_bars ENABLE TRIGGER USER');
      return 'done';
    });

  it('retries after the lock timeout and succeeds once the writer is done, logging each retry', async () => {
    const lock = await holdWriterLock(world.database.sql, 'public.derived_data_bars');
    const { lines, ctx } = recorder();
    let attempts = 0;
    const result = await retryOnLockConflict(ctx, 'installing the fence', async () => {
      attempts += 1;
      if (attempts === 2) await lock.release();
      return ddlStep();
    });
    expect(result).toBe('done');
    expect(attempts).toBe(2);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'warn',
        message: expect.stringMatching(
          /^installing the fence: a live writer's lock crossed it \(.*lock timeout.*attempt 2 of/,
        ),
      }),
    ]);
  });

  it(`fails after ${LOCK_CONFLICT_ATTEMPTS} attempts of a lasting conflict, and never retries another error`, async () => {
    const lock = await holdWriterLock(world.database.sql, 'public.derived_data_bars');
    try {
      const { lines, ctx } = recorder();
      await expect(retryOnLockConflict(ctx, 'installing the fence', ddlStep)).rejects.toThrow(/lock timeout/);
      expect(lines).toHaveLength(LOCK_CONFLICT_ATTEMPTS - 1);
    } finally {
      await lock.release();
    }
    let attempts = 0;
    const { ctx } = recorder();
    await expect(
      retryOnLockConflict(ctx, 'x', async () => {
        attempts += 1;
        throw new Error('permission denied');
      }),
    ).rejects.toThrow('permission denied');
    expect(attempts).toBe(1);
  });
});
