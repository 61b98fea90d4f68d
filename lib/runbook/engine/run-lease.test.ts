import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database';
import { closeMigrationRun, insertMigrationRun } from '../../db/tables/migration-runs';
import { firstSucceededClockStart, getPhaseRun, insertPhaseRun, listPhaseAttempts } from '../../db/tables/phase-runs';
import {
  latestOpenLegacyPathProof,
  listOpenLegacyPathProofs,
  storeLegacyPathProof,
} from '../phases/shared/legacy-path-proof-rows';
import {
  claimNextPhaseRun,
  commitPhaseRunStep,
  finishHeldPhaseRun,
  markPhaseRunStarted,
  pauseHeldPhaseRun,
  renewPhaseRunLease,
} from './run-lease';

describe('cutover.phase_runs', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase();
  });
  afterAll(async () => {
    await test?.drop();
  });

  const newRun = async (migrationRunId: number, phase: string, attempt = 1) =>
    insertPhaseRun(test.database.sql, {
      migrationRunId,
      phase,
      status: 'pending',
      options: { mode: 'copy' },
      requestedBy: 'op',
      attempt,
      checkpoint: { cursor: attempt },
    });

  it('claims a run for one runner only, and writes only while that runner holds the lease', async () => {
    const { sql } = test.database;
    const migration = await insertMigrationRun(sql, { startedBy: 'op' });
    const id = await newRun(migration.id, '4');

    // A second runner skips the run the first one has locked instead of waiting for it.
    await sql.begin(async (tx) => {
      const first = await claimNextPhaseRun(tx, { owner: 'a', leaseSeconds: 60 });
      expect(first).toMatchObject({ run: { id, status: 'running', leaseOwner: 'a' }, previousOwner: null });
      expect(first?.run.leaseExpiresAt).toBeInstanceOf(Date);
      expect(await claimNextPhaseRun(sql, { owner: 'b', leaseSeconds: 60 })).toBeNull();
    });
    // Held and unexpired: not another runner's to take.
    expect(await claimNextPhaseRun(sql, { owner: 'b', leaseSeconds: 60 })).toBeNull();

    expect(await renewPhaseRunLease(sql, { id, owner: 'a', leaseSeconds: 60 })).toBe(true);
    expect(await renewPhaseRunLease(sql, { id, owner: 'b', leaseSeconds: 60 })).toBe(false);

    const startedAt = new Date('2030-01-02T03:04:05Z');
    await markPhaseRunStarted(sql, { id, owner: 'b', clockStartedAt: startedAt, opsRunlogId: 9 });
    expect((await getPhaseRun(sql, { id }))?.clockStartedAt).toBeNull();
    await markPhaseRunStarted(sql, { id, owner: 'a', clockStartedAt: startedAt, opsRunlogId: 9 });
    expect(await getPhaseRun(sql, { id })).toMatchObject({ clockStartedAt: startedAt, opsRunlogId: 9 });

    // A step changes only what it gives.
    const stepped = await commitPhaseRunStep(sql, { id, owner: 'a', leaseSeconds: 60, progress: { rows: 10 } });
    expect(stepped).toMatchObject({ checkpoint: { cursor: 1 }, progress: { rows: 10 }, result: {} });
    expect(await commitPhaseRunStep(sql, { id, owner: 'b', leaseSeconds: 60, checkpoint: { cursor: 2 } })).toBeNull();

    // An expired lease is taken over, and the new runner learns whose it was.
    await sql`update cutover.phase_runs set lease_expires_at = now() - interval '1 second' where id = ${id}`;
    const taken = await claimNextPhaseRun(sql, { owner: 'b', leaseSeconds: 60 });
    expect(taken).toMatchObject({ run: { id, leaseOwner: 'b', checkpoint: { cursor: 1 } }, previousOwner: 'a' });
    expect(await renewPhaseRunLease(sql, { id, owner: 'a', leaseSeconds: 60 })).toBe(false);

    await pauseHeldPhaseRun(sql, { id, owner: 'a' });
    expect((await getPhaseRun(sql, { id }))?.status).toBe('running');
    await pauseHeldPhaseRun(sql, { id, owner: 'b' });
    expect(await getPhaseRun(sql, { id })).toMatchObject({ status: 'paused', leaseOwner: null, leaseExpiresAt: null });

    await sql`update cutover.phase_runs set status = 'running', lease_owner = 'b' where id = ${id}`;
    const finishedAt = new Date('2030-01-02T05:00:00Z');
    const finish = { id, status: 'succeeded', clockFinishedAt: finishedAt, error: null } as const;
    await finishHeldPhaseRun(sql, { ...finish, owner: 'a', verification: null });
    expect((await getPhaseRun(sql, { id }))?.status).toBe('running');
    await finishHeldPhaseRun(sql, { ...finish, owner: 'b', verification: { passed: true, checks: [] } });
    const finished = await getPhaseRun(sql, { id });
    expect(finished).toMatchObject({
      status: 'succeeded',
      clockFinishedAt: finishedAt,
      verification: { passed: true, checks: [] },
      leaseOwner: null,
    });
    expect(finished?.finishedAt).toBeInstanceOf(Date);
    await closeMigrationRun(sql, { id: migration.id, status: 'rolled_back' });
  });

  it('lists the attempts of a phase and when its first success started', async () => {
    const { sql } = test.database;
    const migration = await insertMigrationRun(sql, { startedBy: 'op' });
    const first = await newRun(migration.id, '1');
    await sql`update cutover.phase_runs set status = 'failed' where id = ${first}`;
    const second = await newRun(migration.id, '1', 2);
    expect(await listPhaseAttempts(sql, { migrationRunId: migration.id, phase: '1' })).toEqual([
      { id: second, status: 'pending', checkpoint: { cursor: 2 } },
      { id: first, status: 'failed', checkpoint: { cursor: 1 } },
    ]);
    expect(await listPhaseAttempts(sql, { migrationRunId: migration.id, phase: '2' })).toEqual([]);

    expect(await firstSucceededClockStart(sql, { migrationRunId: migration.id, phase: '1' })).toBeNull();
    const at = new Date('2030-03-01T00:00:00Z');
    await sql`update cutover.phase_runs set status = 'succeeded', clock_started_at = ${at} where id = ${second}`;
    expect(await firstSucceededClockStart(sql, { migrationRunId: migration.id, phase: '1' })).toEqual(at);
    await closeMigrationRun(sql, { id: migration.id, status: 'rolled_back' });
  });

  it('keeps a rollback’s legacy-path proof in its result and checkpoint, watched while pending or silent', async () => {
    const { sql } = test.database;
    const migration = await insertMigrationRun(sql, { startedBy: 'op' });
    const id = await newRun(migration.id, 'rollback');
    await sql`update cutover.phase_runs set status = 'succeeded' where id = ${id}`;
    expect(await latestOpenLegacyPathProof(sql)).toBeNull();

    const pending = {
      state: 'pending',
      switchedAt: '2030-01-04T20:00:00.000Z',
      expectedFrom: '2030-01-05T22:00:00.000Z',
    };
    await storeLegacyPathProof(sql, { id, proof: pending });
    expect(await getPhaseRun(sql, { id })).toMatchObject({
      result: { legacyPathProof: pending },
      checkpoint: { cursor: 1, legacyProof: pending },
    });
    expect(await listOpenLegacyPathProofs(sql)).toEqual([{ id, proof: pending }]);
    expect(await latestOpenLegacyPathProof(sql)).toEqual({ id, state: 'pending', expectedFrom: pending.expectedFrom });

    await storeLegacyPathProof(sql, { id, proof: { ...pending, state: 'proven' } });
    expect(await listOpenLegacyPathProofs(sql)).toEqual([]);
    expect(await latestOpenLegacyPathProof(sql)).toBeNull();
    await closeMigrationRun(sql, { id: migration.id, status: 'rolled_back' });
  });
});
