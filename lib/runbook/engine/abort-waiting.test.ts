/**
 * Abort of a run that waits for the world (docs/phases.md "Abort"): phase 7 waiting for the data to
 * prove its deployment ends at once, its runner fenced out; a new attempt waits again, and a
 * rollback requested meanwhile ends it in the rollback's own start transaction (audited) and takes
 * its slot. A phase 7 run in the middle of a step is not ended by a rollback.
 */
import { describe, expect, it } from 'vitest';
import { failedChecks, OPERATOR } from '../../../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../../../test-support/test-world';
import { useTestWorld } from '../../../test-support/world-database';
import { abortPhaseRun } from '../actions/abort-phase-run';
import { startPhaseRun } from '../actions/start-phase-run';
import { bridgeActive } from '../tick-jobs/bridge';
import { abortRecordOf } from './abort-run';
import { getActivePhaseRun, getPhaseRun } from './run-state';

describe('abort while phase 7 waits for the proof of its deployment', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 2 }, { through: ['1', '2-fix', '3', '4', '5', '6'] });

  /** Starts phase 7 and ticks (the clock held still, so no proof can come) until it waits. */
  const startWaiting = async () => {
    const runId = await test.driver.start('7');
    for (let i = 0; i < 10; i++) {
      await test.driver.tick();
      const run = await getPhaseRun(test.database.sql, { id: runId });
      if (typeof run?.progress.waiting === 'string') return runId;
      expect(run?.status).toBe('running');
    }
    throw new Error(`phase 7 run #${runId} never waited`);
  };

  it('ends a waiting run at once, fencing its runner out; what it left is the deployment stage', async () => {
    const runId = await startWaiting();
    const waiting = await getPhaseRun(test.database.sql, { id: runId });
    expect(waiting?.checkpoint.stage).toBe('proving');
    const result = await test.driver.act(abortPhaseRun, OPERATOR, { confirm: 'ABORT', phase: '7' });
    expect(result).toEqual({ status: 'ok', data: { runId, phase: '7', status: 'aborted', changed: true } });
    const run = await getPhaseRun(test.database.sql, { id: runId });
    expect(run?.status).toBe('aborted');
    expect(run?.leaseOwner).toBeNull();
    const record = run && abortRecordOf(run);
    expect(record?.from).toMatch(/^waiting \(waiting for new DXY minutes/);
    expect(record?.inFlight).toMatch(/^No step was in flight: the run was waiting/);
    expect(record?.completed[0]).toBe('Committed through stage "proving".');
    // The runner that held it steps it no more.
    test.driver.clock.advance(30 * 60_000);
    await test.driver.tick();
    expect((await getPhaseRun(test.database.sql, { id: runId }))?.status).toBe('aborted');
    expect(await getActivePhaseRun(test.database.sql)).toBeNull();
  });

  it('a rollback requested while phase 7 waits ends it in the same transaction, audited, and runs', async () => {
    const runId = await startWaiting();
    const started = await test.driver.act(startPhaseRun, OPERATOR, {
      phase: 'rollback',
      data: 'keep',
      confirm: 'ROLLBACK',
    });
    expect(started.status, JSON.stringify(started)).toBe('ok');
    if (started.status !== 'ok') return;
    expect(started.data).toMatchObject({ phase: 'rollback', status: 'pending', abortedRunId: runId });
    const superseded = await getPhaseRun(test.database.sql, { id: runId });
    expect(superseded?.status).toBe('aborted');
    expect(superseded?.error).toBe(`Aborted by ${OPERATOR.username}: a rollback was requested while it waited`);
    const [audit] = await test.database.sql<{ outcome: string; aborted: string }[]>`
      select outcome, detail->'result'->>'abortedRunId' as aborted from cutover.audit_events
       where action = 'runbook.start_phase' order by id desc limit 1`;
    expect(audit).toEqual({ outcome: 'ok', aborted: String(runId) });
    const rollback = await test.driver.finish(started.data.runId, { maxTicks: 600 });
    expect(rollback.status, failedChecks(rollback)).toBe('succeeded');
  });
});

describe('a rollback does not end a phase 7 run in the middle of a step', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 2 }, { through: ['1', '2-fix', '3', '4', '5', '6'] });

  it('is refused while phase 7 is queued or stepping, naming the abort', async () => {
    const runId = await test.driver.start('7');
    const refused = await test.driver.act(startPhaseRun, OPERATOR, {
      phase: 'rollback',
      data: 'keep',
      confirm: 'ROLLBACK',
    });
    expect(refused).toEqual({
      status: 'refused',
      reason: expect.stringContaining(
        `(run #${runId}, requested by olivia) is pending; one run at a time. Abort it first`,
      ),
    });
    // Claimed and mid-step (not waiting): still refused.
    await test.database.sql`update cutover.phase_runs set status = 'running', lease_owner = 'elsewhere',
                             lease_expires_at = now() + interval '1 minute' where id = ${runId}`;
    const stepping = await test.driver.act(startPhaseRun, OPERATOR, {
      phase: 'rollback',
      data: 'keep',
      confirm: 'ROLLBACK',
    });
    expect(stepping.status).toBe('refused');
    expect((await getPhaseRun(test.database.sql, { id: runId }))?.status).toBe('running');
  });

  it('a run whose runner died is ended by the next runner before it does anything', async () => {
    const [run] = await test.database.sql<{ id: number }[]>`
      update cutover.phase_runs set lease_expires_at = now() - interval '1 second'
       where phase = '7' and status = 'running' returning id`;
    const asked = await test.driver.act(abortPhaseRun, OPERATOR, { confirm: 'ABORT', phase: '7' });
    expect(asked).toEqual({ status: 'ok', data: { runId: run?.id, phase: '7', status: 'aborting', changed: true } });
    await test.driver.tick();
    const aborted = await getPhaseRun(test.database.sql, { id: run?.id ?? 0 });
    expect(aborted?.status).toBe('aborted');
    expect(aborted && abortRecordOf(aborted)?.inFlight).toBe('No step was in flight: it stopped between steps.');
    // It never deployed: its checkpoint is as it was requested.
    expect(aborted?.checkpoint).toEqual({});
  });

  it('a rollback aborted before any runner took it does not switch the bridge off; one that waits does', async () => {
    expect(await getActivePhaseRun(test.database.sql)).toBeNull();
    const migrationRunId = await bridgeActive(test.database.sql);
    expect(migrationRunId).toEqual(expect.any(Number));
    const started = await test.driver.act(startPhaseRun, OPERATOR, {
      phase: 'rollback',
      data: 'delete',
      confirm: 'ROLLBACK',
    });
    expect(started).toMatchObject({ status: 'ok', data: { status: 'awaiting-approval' } });
    expect(await bridgeActive(test.database.sql)).toBeNull();
    const aborted = await test.driver.act(abortPhaseRun, OPERATOR, { confirm: 'ABORT', phase: 'rollback' });
    expect(aborted).toMatchObject({ status: 'ok', data: { status: 'aborted', changed: true } });
    expect(await bridgeActive(test.database.sql)).toBe(migrationRunId);
  });
});
