/**
 * Changing the pacing while phase 4 copies: the next batch has the new size, the change is audited
 * and in the run's log; a pace the run must keep makes it wait with the reason the phase page shows,
 * and it resumes when the pace is lifted; a refused change (a viewer, a value out of range) changes
 * nothing. The copy ends with ANALYZE data_bars.
 */
import { describe, expect, it } from 'vitest';
import { OPERATOR, VIEWER } from '../../../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../../../test-support/test-world';
import { useTestWorld } from '../../../test-support/world-database';
import { readPacingLimits } from '../engine/pacing/pacing-limits';
import { getPhaseRun } from '../engine/run-state';
import { phase4Copy } from '../phases/4-copy/phase-4-copy';
import { setPacing } from './set-pacing';

describe('set pacing while phase 4 runs', () => {
  const test = useTestWorld(
    { now: MIDWEEK_NOW, days: 1 },
    { config: { copyBatchRows: 100, copyPaced: true }, through: ['1', '2-fix', '3'] },
  );
  const sql = () => test.database.sql;
  const progressOf = async (runId: number) => {
    const run = await getPhaseRun(sql(), { id: runId });
    if (!run) throw new Error(`no run #${runId}`);
    return { run, scanned: Number(run.checkpoint.rowsScanned ?? 0), batches: Number(run.checkpoint.batches ?? 0) };
  };
  const messages = async (runId: number) =>
    (
      await sql()<{ message: string }[]>`
        select message from cutover.phase_run_events where phase_run_id = ${runId} order by id`
    ).map((e) => e.message);
  const auditRows = () =>
    sql()<{ username: string; outcome: string; inputs: Record<string, unknown>; detail: Record<string, unknown> }[]>`
      select username, outcome, inputs, detail from cutover.audit_events where action = 'runbook.set_pacing' order by id`;

  it('takes a new batch size at the next batch, audited; a pace makes the run wait and say why', async () => {
    const runId = await test.driver.start('4');
    await test.driver.tick();
    const first = await progressOf(runId);
    expect(first.batches).toBe(1);
    expect(first.scanned).toBe(100);

    const changed = await test.driver.act(setPacing, OPERATOR, { batchRows: 7 });
    expect(changed).toMatchObject({ status: 'ok', data: { changed: ['batchRows default → 7'], activeRunId: runId } });
    const [audit] = await auditRows();
    expect(audit).toMatchObject({ username: OPERATOR.username, outcome: 'ok', inputs: { batchRows: 7 } });
    expect(await messages(runId)).toContain(
      `Pacing changed by ${OPERATOR.username}: batchRows default → 7 (from the next batch)`,
    );

    // The phase's preview says what the next batch takes.
    const preview = await phase4Copy.preview({
      database: test.database,
      clock: test.driver.clock,
      config: test.driver.config,
      migrationRunId: null,
      options: {},
    });
    expect(preview.summary).toContainEqual(
      expect.stringMatching(/^Batches of at most 7 minutes \(set by an operator; /),
    );

    await test.driver.tick();
    const second = await progressOf(runId);
    expect(second.batches).toBe(2);
    expect(second.scanned - first.scanned).toBe(7);

    // One batch per 10 minutes: the next step waits, with the reason on the run (the phase page shows progress.waiting).
    expect((await test.driver.act(setPacing, OPERATOR, { paceMs: 600_000 })).status).toBe('ok');
    await test.driver.tick();
    const paced = await progressOf(runId);
    expect(paced.scanned).toBe(second.scanned);
    expect(paced.run.progress.waiting).toBe('paused 0 s: pace: one batch per 600 s');
    expect(await messages(runId)).toContain('Pacing: waiting before the next batch: pace: one batch per 600 s');

    expect((await test.driver.act(setPacing, OPERATOR, { paceMs: 0, batchRows: 1000 })).status).toBe('ok');
    await test.driver.tick();
    const resumed = await progressOf(runId);
    expect(resumed.scanned).toBeGreaterThan(second.scanned);
    expect((await messages(runId)).some((m) => m.startsWith('Pacing: resumed after'))).toBe(true);

    const finished = await test.driver.finish(runId);
    expect(finished.status).toBe('succeeded');
    expect((await messages(runId)).some((m) => m.startsWith('ANALYZE public.data_bars after the copy'))).toBe(true);
    const [stats] = await sql()<{ analyzed: boolean }[]>`
      select last_analyze is not null as analyzed from pg_stat_user_tables where schemaname = 'public' and relname = 'data_bars'`;
    expect(stats?.analyzed).toBe(true);
    expect(finished.checkpoint.analyzedByRun).toBe(runId);
  });

  it('refuses a viewer and values out of range, and changes nothing', async () => {
    const before = await readPacingLimits(sql());
    const okRows = async () => (await auditRows()).filter((r) => r.outcome === 'ok').length;
    const okBefore = await okRows();
    const viewer = await test.driver.act(setPacing, VIEWER, { batchRows: 5 });
    expect(viewer).toMatchObject({ status: 'refused', reason: expect.stringContaining('Requires role operator') });
    for (const input of [
      { batchRows: 0 },
      { paceMs: -1 },
      { maxReplicaLagS: 4000 },
      { maxWorkerMs: 1.5 },
      { bogus: 1 },
    ]) {
      expect((await test.driver.act(setPacing, OPERATOR, input)).status, JSON.stringify(input)).toBe('invalid');
    }
    expect((await test.driver.act(setPacing, OPERATOR, {})).status).toBe('refused');
    expect(await readPacingLimits(sql())).toEqual(before);
    expect(await okRows()).toBe(okBefore);
  });
});
