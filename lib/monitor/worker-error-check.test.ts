import type { TransactionSql } from 'postgres';
import { describe, expect, it } from 'vitest';
import { MIDWEEK_NOW } from '../../test-support/test-world';
import { useTestWorld } from '../../test-support/world-database';
import { inRolledBackTransaction } from '../runbook/engine/rolled-back';
import { HOUR_MS, MINUTE_MS } from '../time-units';
import { computeHourlyChecks } from './hourly-checks';
import { computeWorkerErrorCheck, NO_RUNLOG_SOURCE } from './worker-error-check';

const HOUR = { from: new Date(MIDWEEK_NOW.getTime() - HOUR_MS), to: MIDWEEK_NOW };
const IN_HOUR = new Date(HOUR.from.getTime() + 10 * MINUTE_MS);

async function logRun(tx: TransactionSql, job: string, status: 'success' | 'failed', at = IN_HOUR) {
  await tx`insert into public.ops_runlog (run_id, job_name, trigger, started_at, finished_at, status, events)
           values (gen_random_uuid(), ${job}, 'cron', ${at}, ${at}, ${status},
                   ${tx.json(status === 'failed' ? [{ ts: at.toISOString(), checkpoint: 'error', details: `${job} broke` }] : [])})`;
}

describe('the worker-error check reads only sources production has', () => {
  const test = useTestWorld({ variant: 'production', now: MIDWEEK_NOW, days: 1 });
  /** Each case starts from an empty run log and healthy cursors, and leaves nothing behind. */
  const inCase = <T>(work: (tx: TransactionSql) => Promise<T>) =>
    inRolledBackTransaction(test.database.sql, async (tx) => {
      await tx`delete from public.ops_runlog`;
      await tx`update public.data_agg_state set status = 'idle', last_error = null, hard_fail_streak = 0`;
      return work(tx);
    });

  it('(a) without ops_runlog says it judged from data_agg_state only — PASS when healthy, FAIL on a hard_failed task', async () => {
    const { healthy, failing } = await inCase(async (tx) => {
      await tx`drop table public.ops_runlog`;
      const healthy = await computeWorkerErrorCheck(tx, HOUR);
      await tx`update public.data_agg_state set status = 'hard_failed', last_error = 'window failed', hard_fail_streak = 5
                where canonical_symbol = 'DXY' and timeframe = '5m'`;
      return { healthy, failing: await computeWorkerErrorCheck(tx, HOUR) };
    });
    expect(healthy.verdict).toBe('PASS');
    expect(healthy.detail).toContain(NO_RUNLOG_SOURCE);
    expect(healthy.detail).toContain('no ops_runlog table');
    expect(failing.verdict).toBe('FAIL');
    expect(failing.value).toBe(1);
    expect(failing.detail).toContain(NO_RUNLOG_SOURCE);
    expect(failing.detail).toContain('DXY 5m hard_failed (window failed)');
  });

  it('(a) an ops_runlog holding only the console’s own jobs is no worker source either', async () => {
    const check = await inCase(async (tx) => {
      await logRun(tx, 'dxy_cutover.phase_4', 'failed');
      return computeWorkerErrorCheck(tx, HOUR);
    });
    expect(check.verdict).toBe('PASS');
    expect(check.value).toBe(0);
    expect(check.detail).toContain(NO_RUNLOG_SOURCE);
    expect(check.detail).not.toContain('no ops_runlog table');
  });

  it('(b) discovers production-like job names and FAILs on a failed run of one in the hour', async () => {
    const { quiet, failed, earlier } = await inCase(async (tx) => {
      await logRun(tx, 'massive-ingest-fx', 'success');
      await logRun(tx, 'agg-catchup', 'success');
      const quiet = await computeWorkerErrorCheck(tx, HOUR);
      // A failure before the hour names the job but does not count in this hour.
      await logRun(tx, 'agg-catchup', 'failed', new Date(HOUR.from.getTime() - 30 * MINUTE_MS));
      const earlier = await computeWorkerErrorCheck(tx, HOUR);
      await logRun(tx, 'massive-ingest-fx', 'failed');
      await logRun(tx, 'dxy_cutover.phase_7', 'failed');
      return { quiet, earlier, failed: await computeWorkerErrorCheck(tx, HOUR) };
    });
    expect(quiet.verdict).toBe('PASS');
    expect(quiet.detail).toContain('ops_runlog jobs agg-catchup, massive-ingest-fx: no failed run in the hour');
    expect(quiet.detail).not.toContain(NO_RUNLOG_SOURCE);
    expect(earlier.verdict).toBe('PASS');
    expect(failed.verdict).toBe('FAIL');
    expect(failed.value).toBe(1);
    expect(failed.detail).toContain('massive-ingest-fx ×1');
    expect(failed.detail).toContain('massive-ingest-fx broke');
    expect(failed.detail).not.toContain('dxy_cutover');
  });

  it('(c) FAILs on a hard_failed task, and on a task whose last run failed, even with a quiet run log', async () => {
    const { hardFailed, streak, recovered, noStreakColumn } = await inCase(async (tx) => {
      await logRun(tx, 'tick-factory', 'success');
      await tx`update public.data_agg_state set status = 'hard_failed' where canonical_symbol = 'EURUSD' and timeframe = '1h'`;
      const hardFailed = await computeWorkerErrorCheck(tx, HOUR);
      await tx`update public.data_agg_state set status = 'idle'`;
      await tx`update public.data_agg_state set last_error = 'deadlock detected', hard_fail_streak = 2
                where canonical_symbol = 'USDJPY' and timeframe = '5m'`;
      const streak = await computeWorkerErrorCheck(tx, HOUR);
      await tx`update public.data_agg_state set hard_fail_streak = 0`;
      const recovered = await computeWorkerErrorCheck(tx, HOUR);
      // A production table without the streak column: a last_error left in place is the sign.
      await tx`alter table public.data_agg_state drop column hard_fail_streak`;
      const noStreakColumn = await computeWorkerErrorCheck(tx, HOUR);
      return { hardFailed, streak, recovered, noStreakColumn };
    });
    expect(hardFailed.verdict).toBe('FAIL');
    expect(hardFailed.detail).toContain('EURUSD 1h hard_failed');
    expect(streak.verdict).toBe('FAIL');
    expect(streak.detail).toContain('USDJPY 5m idle (deadlock detected)');
    expect(recovered.verdict).toBe('PASS');
    expect(noStreakColumn.verdict).toBe('FAIL');
  });

  it('does not judge the tasks of symbols outside DXY and its components', async () => {
    const unrelated = await inCase(async (tx) => {
      await logRun(tx, 'tick-factory', 'success');
      await tx`update public.data_agg_state set status = 'idle', last_error = null, hard_fail_streak = 0`;
      await tx`insert into public.data_agg_state (canonical_symbol, timeframe, source_timeframe, run_interval_minutes,
                                                  aggregation_delay_seconds, last_agg_bar_ts_utc, status, last_error)
               select 'XAUUSD', timeframe, source_timeframe, run_interval_minutes, aggregation_delay_seconds,
                      last_agg_bar_ts_utc, 'hard_failed', 'gold feed broken'
                 from public.data_agg_state where canonical_symbol = 'EURUSD'
               on conflict (canonical_symbol, timeframe) do update set status = 'hard_failed', last_error = 'gold feed broken'`;
      return computeWorkerErrorCheck(tx, HOUR);
    });
    expect(unrelated.verdict).toBe('PASS');
    expect(unrelated.detail).not.toContain('XAUUSD');
  });

  it('WARNs on a disabled task, and with no source at all', async () => {
    const { disabled, none } = await inCase(async (tx) => {
      await logRun(tx, 'tick-factory', 'success');
      await tx`update public.data_agg_state set status = 'disabled' where canonical_symbol = 'DXY' and timeframe = '1h'`;
      const disabled = await computeWorkerErrorCheck(tx, HOUR);
      await tx`drop table public.ops_runlog`;
      await tx`drop table public.data_agg_state`;
      return { disabled, none: await computeWorkerErrorCheck(tx, HOUR) };
    });
    expect(disabled.verdict).toBe('WARN');
    expect(disabled.detail).toContain('disabled: DXY 1h');
    expect(none.verdict).toBe('WARN');
    expect(none.detail).toContain('no worker error source');
  });

  it('is the hourly snapshot’s worker_errors check', async () => {
    const { sql } = test.database;
    const hardFail = (status: string) =>
      sql`update public.data_agg_state set status = ${status} where canonical_symbol = 'DXY' and timeframe = '5m'`;
    await hardFail('hard_failed');
    try {
      const checks = await computeHourlyChecks(sql, { hourStart: HOUR.from, dual: false });
      const workerErrors = checks.find((c) => c.key === 'worker_errors');
      expect(workerErrors?.verdict).toBe('FAIL');
      expect(workerErrors?.detail).toContain('DXY 5m hard_failed');
    } finally {
      await hardFail('idle');
    }
  });
});
