import { describe, expect, it } from 'vitest';
import { APPROVER, OPERATOR, OPERATOR_2, VIEWER } from '../../../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../../../test-support/test-world';
import { useTestWorld } from '../../../test-support/world-database';
import { executeAction } from '../../auth/action';
import { startPhaseRun } from '../actions/start-phase-run';

describe('who may start what, and when', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 1 });

  const start = (user: typeof OPERATOR, input: Record<string, unknown>) =>
    executeAction(startPhaseRun, { database: test.database, user, rawInput: input });
  const lastAudit = async (username: string) => {
    const [row] = await test.database.sql<{ outcome: string; detail: { reason?: string } }[]>`
      select outcome, detail from cutover.audit_events where username = ${username} and action = 'runbook.start_phase' order by id desc limit 1`;
    return row;
  };

  it('refuses a phase whose preconditions do not hold, with the reason, and audits it', async () => {
    const result = await start(OPERATOR, { phase: '3' });
    expect(result).toEqual({ status: 'refused', reason: 'No migration run is active: start with phase 1.' });
    expect((await lastAudit('olivia'))?.outcome).toBe('refused');
  });

  it('refuses viewers and approvers, and audits them', async () => {
    for (const user of [VIEWER, APPROVER]) {
      const result = await start(user, { phase: '1' });
      expect(result.status).toBe('refused');
      if (result.status === 'refused') expect(result.reason).toMatch(/Requires role operator/);
      expect((await lastAudit(user.username))?.outcome).toBe('refused');
    }
    const [runs] = await test.database.sql`select count(*)::int as n from cutover.phase_runs`;
    expect(runs?.n).toBe(0);
  });

  it('two operators starting the same phase at the same moment get exactly one run', async () => {
    // Phase 1 needs a GO from validate (docs/phases.md "Validate — before the night").
    expect((await test.driver.validate()).verdict).toBe('go');
    const results = await Promise.all([start(OPERATOR, { phase: '1' }), start(OPERATOR_2, { phase: '1' })]);
    expect(results.map((r) => r.status).sort()).toEqual(['ok', 'refused']);
    const refused = results.find((r) => r.status === 'refused');
    if (refused?.status === 'refused') expect(refused.reason).toMatch(/one run at a time/);
    const [runs] = await test.database.sql`select count(*)::int as n from cutover.phase_runs`;
    expect(runs?.n).toBe(1);
    const [migrations] = await test.database.sql`select count(*)::int as n from cutover.migration_runs`;
    expect(migrations?.n).toBe(1);
  });

  it('a double click while a run is active is refused, not queued', async () => {
    const second = await start(OPERATOR, { phase: '1' });
    expect(second.status).toBe('refused');
    const [active] = await test.database.sql`select id from cutover.phase_runs where status = 'pending'`;
    const run = await test.driver.finish(Number(active?.id));
    expect(run.status).toBe('succeeded');
  });

  it('the database itself refuses a second active run (the unique index is the backstop)', async () => {
    const [migration] = await test.database.sql`select id from cutover.migration_runs where status = 'active'`;
    await test.database
      .sql`insert into cutover.phase_runs (migration_run_id, phase, status, requested_by) values (${migration?.id}, '2', 'pending', 'x')`;
    await expect(
      test.database
        .sql`insert into cutover.phase_runs (migration_run_id, phase, status, requested_by) values (${migration?.id}, '2', 'pending', 'y')`,
    ).rejects.toThrow(/phase_runs_one_active/);
    await test.database.sql`update cutover.phase_runs set status = 'failed' where status = 'pending'`;
  });

  it('rejects invalid input: an unknown phase, and a rollback without a typed confirmation', async () => {
    expect((await start(OPERATOR, { phase: '42' })).status).toBe('invalid');
    const rollback = await start(OPERATOR, { phase: 'rollback', data: 'keep', confirm: 'yes' });
    expect(rollback.status).toBe('invalid');
    if (rollback.status === 'invalid') expect(rollback.fieldErrors.confirm).toEqual(['Type ROLLBACK to confirm']);
  });
});
