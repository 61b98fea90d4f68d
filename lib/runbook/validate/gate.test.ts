/**
 * Phase 1's gate (docs/phases.md "Validate — before the night"): no start without a GO from the
 * last 24 hours, or an admin's override (audited, used once, within 24 hours).
 */
import { describe, expect, it } from 'vitest';
import { ADMIN, OPERATOR } from '../../../test-support/runbook-driver';
import { useTestWorld } from '../../../test-support/world-database';
import { executeAction } from '../../auth/action';
import { startPhaseRun } from '../actions/start-phase-run';
import { createValidateAction, overrideValidation } from '../actions/validate';
import { VALIDATION_GATE_CHECK } from './gate';

describe('phase 1 without a GO', () => {
  const world = useTestWorld({ variant: 'production' }, { manualValidation: true, perTest: true });
  const startPhase1 = () =>
    executeAction(startPhaseRun, { database: world.database, user: OPERATOR, rawInput: { phase: '1' } });

  it('refuses when no validation has run, saying so', async () => {
    const result = await startPhase1();
    expect(result.status).toBe('refused');
    if (result.status === 'refused') {
      expect(result.reason).toContain(VALIDATION_GATE_CHECK);
      expect(result.reason).toMatch(/no validation has run/);
    }
  });

  it('refuses after a NO-GO, naming its time and verdict; starts after a GO', async () => {
    const noGo = await world.driver.act(
      createValidateAction({
        config: { ...world.driver.config, workerRole: 'no_such_worker_role_gate' },
      }),
      OPERATOR,
      {},
    );
    expect(noGo.status === 'ok' && noGo.data.verdict).toBe('no-go');
    const refused = await startPhase1();
    expect(refused.status).toBe('refused');
    if (refused.status === 'refused' && noGo.status === 'ok')
      expect(refused.reason).toContain(
        `(#${noGo.data.validationId}, ${noGo.data.finishedAt.toISOString()} by olivia) is NO-GO`,
      );
    const go = await world.driver.validate();
    expect(go.verdict).toBe('go');
    expect((await startPhase1()).status).toBe('ok');
  });

  it('refuses a GO older than 24 hours', async () => {
    await world.driver.validate();
    await world.database.sql`update cutover.validations set finished_at = now() - interval '25 hours'`;
    const result = await startPhase1();
    expect(result.status).toBe('refused');
    if (result.status === 'refused') expect(result.reason).toMatch(/older than 24 hours/);
  });

  it('lets an admin override with a reason, audited, for one phase 1 start; an operator cannot', async () => {
    const byOperator = await executeAction(overrideValidation, {
      database: world.database,
      user: OPERATOR,
      rawInput: { reason: 'the night is booked, validate later' },
    });
    expect(byOperator.status).toBe('refused');
    const tooShort = await executeAction(overrideValidation, {
      database: world.database,
      user: ADMIN,
      rawInput: { reason: 'go' },
    });
    expect(tooShort.status).toBe('invalid');
    const override = await executeAction(overrideValidation, {
      database: world.database,
      user: ADMIN,
      rawInput: { reason: 'pg_dump upgrade pending; in-database backup accepted by the DBA' },
    });
    expect(override.status).toBe('ok');
    const [audit] = await world.database.sql<{ outcome: string; username: string }[]>`
      select outcome, username from cutover.audit_events where action = 'runbook.override_validation' and outcome = 'ok'`;
    expect(audit).toEqual({ outcome: 'ok', username: 'ada' });
    const started = await startPhase1();
    expect(started.status).toBe('ok');
    // Used: a second phase 1 start (after this one is gone) needs a new GO or override.
    await world.database.sql`update cutover.phase_runs set status = 'failed' where phase = '1'`;
    const again = await startPhase1();
    expect(again.status).toBe('refused');
  });
});
