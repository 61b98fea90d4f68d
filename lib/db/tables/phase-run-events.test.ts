import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database';
import { insertMigrationRun } from './migration-runs';
import { insertPhaseRunEvent, listLatestEventsOfRuns, listPhaseRunEvents, listRunnersOfRuns } from './phase-run-events';

describe('cutover.phase_run_events', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase();
  });
  afterAll(async () => {
    await test?.drop();
  });

  it('keeps the latest events of each run, oldest first, and the runners they name', async () => {
    const { sql } = test.database;
    const migration = await insertMigrationRun(sql, { startedBy: 'op' });
    const [a, b] = await sql<{ id: number }[]>`
      insert into cutover.phase_runs (migration_run_id, phase, status, requested_by)
      values (${migration.id}, '1', 'succeeded', 'op'), (${migration.id}, '2', 'running', 'op')
      returning id`;
    if (!a || !b) throw new Error('two phase runs expected');

    await insertPhaseRunEvent(sql, { phaseRunId: a.id, level: 'info', message: 'a1', data: { runner: 'r1' } });
    await insertPhaseRunEvent(sql, { phaseRunId: b.id, level: 'info', message: 'b1', data: { runner: 'r2' } });
    await insertPhaseRunEvent(sql, { phaseRunId: a.id, level: 'warn', message: 'a2' });
    await insertPhaseRunEvent(sql, { phaseRunId: a.id, level: 'error', message: 'a3', data: { runner: 'r3', n: 1 } });
    await insertPhaseRunEvent(sql, { phaseRunId: b.id, level: 'info', message: 'b2', data: { runner: 7 } });

    const latest = await listLatestEventsOfRuns(sql, { phaseRunIds: [a.id, b.id], perRun: 2 });
    expect(latest.map((e) => e.message)).toEqual(['b1', 'a2', 'a3', 'b2']);
    expect(latest[2]).toMatchObject({ phaseRunId: a.id, level: 'error', data: { runner: 'r3', n: 1 } });
    expect(typeof latest[2]?.id).toBe('number');
    expect(latest[2]?.at).toBeInstanceOf(Date);
    // The same rows as the phase page's read of one run, but oldest first.
    expect((await listPhaseRunEvents(sql, { phaseRunId: a.id, limit: 2 })).reverse()).toEqual(
      latest.filter((e) => e.phaseRunId === a.id),
    );
    expect(await listLatestEventsOfRuns(sql, { phaseRunIds: [], perRun: 2 })).toEqual([]);

    // The runner as text, whatever JSON it was written as.
    expect(await listRunnersOfRuns(sql, { phaseRunIds: [a.id, b.id] })).toEqual([
      { phaseRunId: a.id, runner: 'r1' },
      { phaseRunId: b.id, runner: 'r2' },
      { phaseRunId: a.id, runner: 'r3' },
      { phaseRunId: b.id, runner: '7' },
    ]);
    expect(await listRunnersOfRuns(sql, { phaseRunIds: [] })).toEqual([]);
  });
});
