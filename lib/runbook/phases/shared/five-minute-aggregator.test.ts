import { describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../../../time-units';
import { type FiveMinuteTask, judgeFiveMinuteAggregator } from './five-minute-aggregator';

/** A Wednesday afternoon: every minute of the hour is open market. */
const SPENT = new Date('2026-11-25T14:00:00Z');
const at = (minutes: number) => new Date(SPENT.getTime() + minutes * MINUTE_MS);
const task = (over: Partial<FiveMinuteTask> = {}): FiveMinuteTask => ({
  cursor: at(-30),
  status: 'idle',
  last_error: null,
  streak: 0,
  next_run_at: at(3),
  last_successful_at: at(-2),
  ...over,
});
const judge = (t: FiveMinuteTask | null, now: Date, spentAt: Date | null = SPENT) =>
  judgeFiveMinuteAggregator(t, { spentAt, now, allowanceMinutes: 20 });

describe('judgeFiveMinuteAggregator', () => {
  it('waits for a run after the allowance was spent: none yet, or one that began before the minutes were there', () => {
    expect(judge(task(), at(0), null)).toEqual({ silent: false });
    expect(judge(task(), at(5))).toEqual({ silent: false });
    expect(judge(task({ last_successful_at: at(0.5) }), at(5))).toEqual({ silent: false });
  });

  it('is silent after a run that began a minute or more after, with the minutes there', () => {
    expect(judge(task({ last_successful_at: at(1) }), at(2))).toEqual({
      silent: true,
      why: `(it ran at ${at(1).toISOString()} with those minutes there)`,
    });
  });

  it('is silent when no run came for the allowance again in open-market minutes', () => {
    expect(judge(task(), at(20))).toEqual({ silent: false });
    expect(judge(task(), at(21))).toEqual({
      silent: true,
      why: `(no successful run in the 20 open-market minutes since ${SPENT.toISOString()})`,
    });
  });

  it('is silent at once when no run can come: the task disabled, hard-failed or missing', () => {
    expect(judge(task({ status: 'disabled' }), at(0), null)).toEqual({
      silent: true,
      why: '(its task is disabled: no run will come)',
    });
    expect(judge(task({ status: 'hard_failed' }), at(0), null)).toMatchObject({ silent: true });
    expect(judge(null, at(0), null)).toEqual({ silent: true, why: '(data_agg_state has no DXY 5m task)' });
  });
});
