/**
 * Abort (docs/phases.md "Abort"), against a real world and the real runner: a queued run ends at
 * once; phase 4 aborted mid-batch rolls the batch in flight back (its statement cancelled on the
 * runner's own backend) and a new attempt resumes from the last committed batch; refusals for a
 * viewer, a missing confirmation and another phase; a double abort changes nothing the second time.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectExactCopy } from '../../../test-support/expect-exact-copy';
import { failedChecks, OPERATOR, OPERATOR_2, VIEWER } from '../../../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../../../test-support/test-world';
import { useTestWorld } from '../../../test-support/world-database';
import { abortPhaseRun } from '../actions/abort-phase-run';
import { type AbortRecord, abortRecordOf } from './abort-run';
import { getActivePhaseRun, getPhaseRun } from './run-state';

/** The advisory lock the copy's inserts wait on while the test holds it (a batch that cannot finish). */
const COPY_GATE = 4242;

describe('abort', () => {
  const test = useTestWorld(
    { now: MIDWEEK_NOW, days: 2 },
    // No statement timeout to end the blocked batch: only the abort's cancel can.
    { config: { copyBatchRows: 300, copyPaced: true, batchStatementTimeoutMs: 600_000 }, through: ['1', '2-fix', '3'] },
  );
  const dxyInDataBars = async () => {
    const [row] = await test.database.sql<{ n: number }[]>`
      select count(*)::int as n from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m'`;
    return row?.n ?? 0;
  };
  const events = (runId: number) =>
    test.database.sql<{ level: string; message: string }[]>`
      select level, message from cutover.phase_run_events where phase_run_id = ${runId} order by id`;

  beforeAll(async () => {
    // A copy batch's insert into data_bars waits on COPY_GATE (shared) for as long as the test holds it.
    await test.database.sql.unsafe(`
      create function public.copy_gate() returns trigger language plpgsql as $$
      begin
        if exists (select 1 from inserted where canonical_symbol = 'DXY' and raw ? 'copied_from') then
          perform pg_advisory_xact_lock_shared(${COPY_GATE});
        end if;
        return null;
      end $$;
      create trigger copy_gate after insert on public.data_bars
        referencing new table as inserted for each statement execute function public.copy_gate();`);
  });
  afterAll(async () => {
    await test.database.sql.unsafe('drop trigger copy_gate on public.data_bars; drop function public.copy_gate()');
  });

  it('is refused to a viewer, without the typed word, and for a phase whose run is not the active one', async () => {
    const runId = await test.driver.start('4');
    const viewer = await test.driver.act(abortPhaseRun, VIEWER, { confirm: 'ABORT' });
    expect(viewer).toEqual({ status: 'refused', reason: expect.stringMatching(/^Requires role operator/) });
    const unconfirmed = await test.driver.act(abortPhaseRun, OPERATOR, { confirm: 'abort' });
    expect(unconfirmed).toEqual({ status: 'refused', reason: 'Type ABORT to confirm the abort.' });
    const other = await test.driver.act(abortPhaseRun, OPERATOR, { confirm: 'ABORT', phase: '7' });
    expect(other).toEqual({ status: 'refused', reason: expect.stringContaining(`not Phase 7: nothing aborted`) });
    expect((await getPhaseRun(test.database.sql, { id: runId }))?.status).toBe('pending');
    const audited = await test.database.sql<{ username: string; outcome: string }[]>`
      select username, outcome from cutover.audit_events where action = 'runbook.abort' order by id`;
    expect(audited).toEqual([
      { username: VIEWER.username, outcome: 'refused' },
      { username: OPERATOR.username, outcome: 'refused' },
      { username: OPERATOR.username, outcome: 'refused' },
    ]);
  });

  it('ends a queued run at once, saying that nothing ran; a second abort (double click, second operator) changes nothing', async () => {
    const active = await getActivePhaseRun(test.database.sql);
    expect(active?.status).toBe('pending');
    const first = await test.driver.act(abortPhaseRun, OPERATOR, {
      confirm: 'ABORT',
      phase: '4',
      reason: 'wrong method',
    });
    expect(first).toEqual({
      status: 'ok',
      data: { runId: active?.id, phase: '4', status: 'aborted', changed: true },
    });
    const second = await test.driver.act(abortPhaseRun, OPERATOR_2, { confirm: 'ABORT', runId: active?.id });
    expect(second).toEqual({
      status: 'ok',
      data: { runId: active?.id, phase: '4', status: 'aborted', changed: false },
    });
    const run = await getPhaseRun(test.database.sql, { id: active?.id ?? 0 });
    expect(run?.status).toBe('aborted');
    expect(run?.finishedAt).not.toBeNull();
    expect(run?.error).toBe(`Aborted by ${OPERATOR.username}: wrong method`);
    const record = run && abortRecordOf(run);
    expect(record).toMatchObject({
      by: OPERATOR.username,
      reason: 'wrong method',
      from: 'pending',
      inFlight: 'The run had not started: nothing ran.',
      completed: ['No step had committed: the run changed nothing.'],
    } satisfies Partial<AbortRecord>);
    expect(record?.nextSteps.map((s) => s.split(':')[0])).toEqual(['Resume', 'Roll back', 'Abandon']);
    // Nothing holds the slot, and no runner picks the run up.
    expect(await getActivePhaseRun(test.database.sql)).toBeNull();
    await test.driver.tick();
    expect((await getPhaseRun(test.database.sql, { id: run?.id ?? 0 }))?.status).toBe('aborted');
    expect(await dxyInDataBars()).toBe(0);
  });

  it('interrupts phase 4 mid-batch: the batch in flight rolls back, the committed batches stay, a new attempt resumes and verifies', async () => {
    const runId = await test.driver.start('4');
    // Paced: the first tick commits the fresh checkpoint and one batch, the second a second batch.
    await test.driver.tick();
    await test.driver.tick();
    const before = await getPhaseRun(test.database.sql, { id: runId });
    expect(before?.checkpoint.batches).toBe(2);
    const committedRows = before?.checkpoint.rowsWritten as number;
    expect(committedRows).toBeGreaterThan(0);
    expect(await dxyInDataBars()).toBe(committedRows);

    const gate = await test.database.sql.reserve();
    try {
      await gate`select pg_advisory_lock(${COPY_GATE})`;
      // The third batch starts and blocks inside its insert: a long step in flight.
      const tick = test.driver.tick();
      await vi.waitFor(
        async () => {
          const [waiting] = await test.database.sql<{ n: number }[]>`
            select count(*)::int as n from pg_locks where locktype = 'advisory' and objid = ${COPY_GATE} and not granted`;
          expect(waiting?.n).toBe(1);
        },
        { timeout: 20_000, interval: 50 },
      );
      const asked = await test.driver.act(abortPhaseRun, OPERATOR, { confirm: 'ABORT' });
      expect(asked).toEqual({ status: 'ok', data: { runId, phase: '4', status: 'aborting', changed: true } });
      // The runner cancels its own statement: the tick ends although the gate is still closed.
      await tick;
    } finally {
      await gate`select pg_advisory_unlock(${COPY_GATE})`;
      gate.release();
    }

    const aborted = await getPhaseRun(test.database.sql, { id: runId });
    expect(aborted?.status).toBe('aborted');
    // The last committed checkpoint is the second batch's; the third left no row behind.
    expect(aborted?.checkpoint).toEqual(before?.checkpoint);
    expect(aborted?.checkpoint.batchRows).toBeUndefined(); // not mistaken for a statement timeout
    expect(await dxyInDataBars()).toBe(committedRows);
    const record = aborted && abortRecordOf(aborted);
    expect(record?.from).toBe('running');
    expect(record?.inFlight).toBe('The step in flight was interrupted and rolled back.');
    expect(record?.completed[0]).toBe(
      `2 batches committed (${committedRows} rows written), up to ${String(before?.checkpoint.cursor)} (exclusive).`,
    );
    expect(record?.checkpoint).toEqual(before?.checkpoint);
    const log = await events(runId);
    expect(log.map((e) => e.message)).toContainEqual(expect.stringMatching(/^Abort requested by olivia/));
    expect(log.at(-1)).toEqual({
      level: 'warn',
      message: expect.stringMatching(
        /^Aborted by olivia\. The step in flight was interrupted and rolled back\. 2 batches/,
      ),
    });
    const [runlog] = await test.database.sql<{ status: string; error: string; finished: boolean }[]>`
      select status, stats->>'error' as error, finished_at is not null as finished from public.ops_runlog
       where id = ${aborted?.opsRunlogId ?? 0}`;
    expect(runlog).toEqual({ status: 'failed', error: 'Aborted by olivia', finished: true });

    // Resume: a new attempt continues from the aborted one's checkpoint and finishes.
    const resumedId = await test.driver.start('4');
    const resumed = await getPhaseRun(test.database.sql, { id: resumedId });
    expect(resumed?.attempt).toBe(3);
    expect(resumed?.checkpoint.cursor).toBe(before?.checkpoint.cursor);
    const done = await test.driver.finish(resumedId);
    expect(done.status, failedChecks(done)).toBe('succeeded');
    expect((await events(resumedId)).map((e) => e.message)).not.toContainEqual(
      expect.stringMatching(/^Starting again from the beginning/),
    );
    await expectExactCopy(test.database, done);
  });

  it('refuses to abort a run that already finished, naming how it ended', async () => {
    const [last] = await test.database.sql<{ id: number }[]>`
      select id from cutover.phase_runs where phase = '4' and status = 'succeeded'`;
    const refused = await test.driver.act(abortPhaseRun, OPERATOR, { confirm: 'ABORT', runId: last?.id });
    expect(refused).toEqual({
      status: 'refused',
      reason: `Run #${last?.id} (Phase 4) already succeeded: nothing to abort.`,
    });
    expect(await test.driver.act(abortPhaseRun, OPERATOR, { confirm: 'ABORT' })).toEqual({
      status: 'refused',
      reason: 'No run is active: nothing to abort.',
    });
  });
});
