/** The validate action: operators only, stored with who and which database, refused while a phase runs. */
import { describe, expect, it } from 'vitest';
import { OPERATOR, VIEWER } from '../../../test-support/runbook-driver';
import { useTestWorld } from '../../../test-support/world-database';
import { latestValidation } from '../../db/tables/validations';
import { validatePlan } from '../actions/validate';

describe('the validate action', () => {
  const world = useTestWorld({ variant: 'production' });

  it('refuses a viewer, audited, and stores nothing', async () => {
    const result = await world.driver.act(validatePlan, VIEWER, {});
    expect(result.status).toBe('refused');
    expect(await latestValidation(world.database.sql)).toBeNull();
    const [audit] = await world.database.sql<{ outcome: string }[]>`
      select outcome from cutover.audit_events where action = 'runbook.validate' order by id desc limit 1`;
    expect(audit?.outcome).toBe('refused');
  });

  it('stores the result with who asked, when, and the database’s identity', async () => {
    const result = await world.driver.validate();
    const stored = await latestValidation(world.database.sql);
    expect(stored?.id).toBe(result.validationId);
    expect(stored?.requestedBy).toBe(OPERATOR.username);
    expect(stored?.verdict).toBe('go');
    expect(stored?.items.length).toBeGreaterThan(20);
    const [me] = await world.database.sql<{ role: string }[]>`select current_user as role`;
    expect(stored?.databaseIdentity).toMatchObject({ database: expect.stringMatching(/^t_/), consoleRole: me?.role });
    expect(stored && stored.finishedAt >= stored.startedAt).toBe(true);
  });

  it('is refused while a phase run is active, naming it', async () => {
    const runId = await world.driver.start('1');
    const result = await world.driver.act(validatePlan, OPERATOR, {});
    expect(result.status).toBe('refused');
    if (result.status === 'refused') expect(result.reason).toContain(`Run #${runId} (phase 1)`);
    expect((await world.driver.finish(runId)).status).toBe('succeeded');
  });
});
