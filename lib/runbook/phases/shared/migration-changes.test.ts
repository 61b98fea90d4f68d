/**
 * The abandon check asks each phase whether its mere start changed something only a rollback
 * undoes (`changesWhenStarted`): phase 7's deployment, phase 9's soft-delete, a rollback. Runs that
 * never started, and phases that declare nothing, are not named.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test-support/test-database';
import { insertMigrationRun } from '../../../db/tables/migration-runs';
import { findRollbackRelevantChanges } from './migration-changes';

describe('what a migration run changed that a rollback must undo', () => {
  let test: TestDatabase;

  beforeAll(async () => {
    test = await createTestDatabase();
  });
  afterAll(async () => {
    await test.drop();
  });

  it('names the started runs of the phases that declare a change, with their label, run and state', async () => {
    const { sql } = test.database;
    const migration = await insertMigrationRun(sql, { startedBy: 'op' });
    const insertRun = async (phase: string, status: string, started: boolean) => {
      const [row] = await sql<{ id: number }[]>`
        insert into cutover.phase_runs (migration_run_id, phase, status, requested_by, attempt, started_at, finished_at)
        values (${migration.id}, ${phase}, ${status}, 'op', 1, ${started ? new Date() : null},
                ${status === 'running' ? null : new Date()})
        returning id`;
      return row?.id;
    };
    await insertRun('4', 'failed', true);
    const deploy = await insertRun('7', 'failed', true);
    await insertRun('9', 'rejected', false);
    // No phase 1 backup in this database: only the runs are read.
    expect(await findRollbackRelevantChanges(sql, { migrationRunId: migration.id })).toEqual([
      `Phase 7 (run #${deploy}, failed) deployed or tried to deploy the workers in mode dual`,
    ]);
  });
});
