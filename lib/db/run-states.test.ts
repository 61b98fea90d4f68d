/**
 * The run and approval states are closed lists in the code (console-schema/run-tables.ts) and in
 * the database (CHECK constraints, drizzle/0020_run_states.sql): the two must name the same values,
 * and a status outside them — 'completed', which phase 9 never writes — is refused by the database.
 */
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test-support/world-database';
import { APPROVAL_STATUSES, MIGRATION_RUN_STATUSES, PHASE_RUN_STATUSES } from './console-schema';

describe('run and approval states', () => {
  const test = useTestDatabase();

  const checkedValues = async (constraint: string): Promise<string[]> => {
    const [row] = await test.database.sql<{ definition: string }[]>`
      select pg_get_constraintdef(oid) as definition from pg_constraint
       where conname = ${constraint} and connamespace = 'cutover'::regnamespace`;
    if (!row) throw new Error(`no constraint ${constraint}`);
    return [...row.definition.matchAll(/'([^']+)'::text/g)].map((match) => match[1] as string);
  };

  it('the database checks exactly the statuses the code declares', async () => {
    expect(await checkedValues('migration_runs_status_check')).toEqual([...MIGRATION_RUN_STATUSES]);
    expect(await checkedValues('phase_runs_status_check')).toEqual([...PHASE_RUN_STATUSES]);
    expect(await checkedValues('approvals_status_check')).toEqual([...APPROVAL_STATUSES]);
    expect(MIGRATION_RUN_STATUSES).not.toContain('completed');
  });

  it('refuses a status outside the lists', async () => {
    const { sql } = test.database;
    await expect(
      sql`insert into cutover.migration_runs (status, started_by) values ('completed', 'op')`,
    ).rejects.toMatchObject({ code: '23514', constraint_name: 'migration_runs_status_check' });
    const [run] = await sql<{ id: number }[]>`
      insert into cutover.migration_runs (status, started_by) values ('active', 'op') returning id`;
    await expect(
      sql`insert into cutover.phase_runs (migration_run_id, phase, status, requested_by)
          values (${run?.id ?? 0}, '9', 'completed', 'op')`,
    ).rejects.toMatchObject({ code: '23514', constraint_name: 'phase_runs_status_check' });
    await expect(
      sql`insert into cutover.approvals (kind, phase_run_id, requested_by, summary, status)
          values ('soft-delete', 1, 'op', 'test', 'waived')`,
    ).rejects.toMatchObject({ code: '23514', constraint_name: 'approvals_status_check' });
  });
});
