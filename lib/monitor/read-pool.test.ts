/**
 * Viewers cannot hurt production: what they read runs on a small pool of its own under a
 * statement timeout, apart from the pool the runner's migration steps use.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { failedChecks } from '../../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../../test-support/test-world';
import { useTestWorld } from '../../test-support/world-database';
import { connectDatabase, type Database, READ_POOL_SIZE } from '../db/connection';
import { CompareBusy, isStatementTimeout, withCompareSlot } from './compare-slots';

const LOCK = 0x0d_c7_7e57;

describe('the readers’ pool', () => {
  const test = useTestWorld({ variant: 'production', now: MIDWEEK_NOW, days: 1 }, { through: ['1', '2-fix', '3'] });
  let readers: Database;

  afterAll(async () => {
    await readers?.close();
  });

  it('cancels a long query at its statement timeout', async () => {
    const short = connectDatabase(test.url, { max: 1, applicationName: 'test-read', statementTimeoutMs: 1000 });
    try {
      const error = await short.sql`select pg_sleep(30)`.catch((e: unknown) => e);
      expect(isStatementTimeout(error)).toBe(true);
    } finally {
      await short.close();
    }
  });

  it('a saturated read pool leaves the copy untouched: phase 4 runs to the end while every reader waits', async () => {
    readers = connectDatabase(test.url, {
      max: READ_POOL_SIZE,
      applicationName: 'test-read',
      statementTimeoutMs: 120_000,
    });
    const holder = await test.database.sql.reserve();
    await holder`select pg_advisory_lock(${LOCK})`;
    const settled: string[] = [];
    const reads = Array.from({ length: READ_POOL_SIZE + 2 }, (_, i) =>
      readers.sql`select pg_advisory_lock_shared(${LOCK}), ${i}::int as i`.then(() => settled.push(`read ${i}`)),
    );
    const copy = await test.driver.run('4');
    expect(copy.status, failedChecks(copy)).toBe('succeeded');
    expect(settled).toEqual([]);
    await holder`select pg_advisory_unlock(${LOCK})`;
    holder.release();
    await Promise.all(reads);
    expect(settled).toHaveLength(READ_POOL_SIZE + 2);
  });

  it('runs one comparison per user at a time', async () => {
    let release: () => void = () => {};
    const first = withCompareSlot('vic', () => new Promise<string>((resolve) => (release = () => resolve('done'))));
    await expect(withCompareSlot('vic', async () => 'second')).rejects.toBeInstanceOf(CompareBusy);
    expect(await withCompareSlot('ava', async () => 'other user')).toBe('other user');
    release();
    expect(await first).toBe('done');
    expect(await withCompareSlot('vic', async () => 'after')).toBe('after');
  });
});
