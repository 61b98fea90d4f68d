import { describe, expect, it } from 'vitest';
import { settleDecision } from './monitor-window';

const at = (iso: string) => new Date(iso);
/** Wednesday 10:00–11:00 UTC: the market is open all hour and the hour before. */
const HOUR = at('2026-11-25T10:00:00Z');

describe('when an hour settles', () => {
  const decide = (
    frontier: string,
    cursors: { fiveMinute: string | null; hour: string | null },
    now = '2026-11-25T11:10:00Z',
  ) =>
    settleDecision({
      hourStart: HOUR,
      frontier: at(frontier),
      now: at(now),
      maxSettleMinutes: 90,
      cursors: {
        fiveMinute: cursors.fiveMinute ? at(cursors.fiveMinute) : null,
        hour: cursors.hour ? at(cursors.hour) : null,
      },
    }).reason;

  it('settles once the data is complete and the aggregator has walked past the hour', () => {
    expect(decide('2026-11-25T11:07:00Z', { fiveMinute: '2026-11-25T11:00:00Z', hour: '2026-11-25T10:00:00Z' })).toBe(
      'complete',
    );
  });

  it('stays provisional while the 5m cursor is still inside the hour (late minutes aggregated late)', () => {
    expect(decide('2026-11-25T11:40:00Z', { fiveMinute: '2026-11-25T10:50:00Z', hour: '2026-11-25T10:00:00Z' })).toBe(
      'provisional',
    );
  });

  it('stays provisional while the previous hour’s 1h bar is not aggregated', () => {
    expect(decide('2026-11-25T11:07:00Z', { fiveMinute: '2026-11-25T11:00:00Z', hour: '2026-11-25T09:00:00Z' })).toBe(
      'provisional',
    );
  });

  it('stays provisional while the data frontier has not passed the hour plus its grace', () => {
    expect(decide('2026-11-25T11:03:00Z', { fiveMinute: '2026-11-25T11:00:00Z', hour: '2026-11-25T10:00:00Z' })).toBe(
      'provisional',
    );
  });

  it('settles as it stands at the max settle time, with the aggregator stalled', () => {
    expect(
      decide(
        '2026-11-25T12:31:00Z',
        { fiveMinute: '2026-11-25T10:50:00Z', hour: '2026-11-25T10:00:00Z' },
        '2026-11-25T12:31:00Z',
      ),
    ).toBe('max settle time');
  });

  /** A decision with every time given as ISO text, the max settle time 90 minutes. */
  const decideAt = (params: { hourStart: string; frontier: string; now: string; fiveMinute: string; hour: string }) =>
    settleDecision({
      hourStart: at(params.hourStart),
      frontier: at(params.frontier),
      now: at(params.now),
      maxSettleMinutes: 90,
      cursors: { fiveMinute: at(params.fiveMinute), hour: at(params.hour) },
    }).reason;

  it('does not wait for cursors on a closed hour (they stop at the last data)', () => {
    const saturday = decideAt({
      hourStart: '2026-11-28T10:00:00Z',
      frontier: '2026-11-28T11:07:00Z',
      now: '2026-11-28T11:07:00Z',
      fiveMinute: '2026-11-27T22:00:00Z',
      hour: '2026-11-27T22:00:00Z',
    });
    expect(saturday).toBe('complete');
  });

  it('does not wait on a closed hour for a frontier held before the close (a gap at Friday’s last minute)', () => {
    // Friday's 5m cursor stopped at 21:55 and its 1h cursor at 21:00: the frontier never passed 21:59.
    const heldAtFridaysGap = {
      frontier: '2026-11-27T21:59:00Z',
      fiveMinute: '2026-11-27T21:55:00Z',
      hour: '2026-11-27T21:00:00Z',
    };
    expect(decideAt({ ...heldAtFridaysGap, hourStart: '2026-11-28T20:00:00Z', now: '2026-11-28T21:10:00Z' })).toBe(
      'complete',
    );
    // The hour after the close still waits for the close's hour's 1h bar (Friday 21:00–22:00)…
    expect(decideAt({ ...heldAtFridaysGap, hourStart: '2026-11-27T22:00:00Z', now: '2026-11-27T23:10:00Z' })).toBe(
      'provisional',
    );
    // …and an open hour for the frontier, until the max settle time.
    expect(
      decideAt({
        ...heldAtFridaysGap,
        hourStart: '2026-11-27T21:00:00Z',
        now: '2026-11-27T22:30:00Z',
        fiveMinute: '2026-11-27T22:00:00Z',
      }),
    ).toBe('provisional');
  });
});
