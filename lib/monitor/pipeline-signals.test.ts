import { describe, expect, it } from 'vitest';
import { MIDWEEK_NOW } from '../../test-support/test-world';
import { useTestWorld } from '../../test-support/world-database';
import type { SqlOrTx } from '../db/connection';
import { inRolledBackTransaction } from '../runbook/engine/rolled-back';
import { HOUR_MS, MINUTE_MS } from '../time-units';
import { readPipelineSignals, type SignalThresholds } from './pipeline-signals';
import { allowedCursorLag, cursorLagMinutes } from './pipeline-signals-cursors';
import { renderPipelineSignalsMetrics } from './pipeline-signals-metrics';
import { assessAggregateFreshness } from './pipeline-signals-writers';

const THRESHOLDS: SignalThresholds = { cursorStallMinutes: 15, bridgeLagMinutes: 5, waitingMinutes: 60 };
/** Saturday noon: the FX market closed at Friday 22:00 UTC (winter). */
const SATURDAY = new Date('2026-11-28T12:00:00Z');

describe('cursor lag against the data frontier', () => {
  it('counts open-market minutes only: a cursor at Friday’s close is not behind on Saturday', () => {
    const through = SATURDAY;
    expect(cursorLagMinutes(new Date('2026-11-27T22:00:00Z'), { through, perSymbol: [] })).toBe(0);
    expect(cursorLagMinutes(new Date('2026-11-27T21:00:00Z'), { through, perSymbol: [] })).toBe(60);
    expect(cursorLagMinutes(SATURDAY, { through, perSymbol: [] })).toBe(0);
    expect(cursorLagMinutes(null, { through, perSymbol: [] })).toBeNull();
  });

  it('allows one window, one run interval, the delay and the tolerance', () => {
    expect(allowedCursorLag({ timeframe: '5m', runIntervalMinutes: 5, delaySeconds: 30, stallMinutes: 15 })).toBe(26);
    expect(allowedCursorLag({ timeframe: '1h', runIntervalMinutes: 60, delaySeconds: 120, stallMinutes: 15 })).toBe(
      137,
    );
    expect(
      allowedCursorLag({ timeframe: 'weird', runIntervalMinutes: 5, delaySeconds: 0, stallMinutes: 15 }),
    ).toBeNull();
  });

  it('judges an aggregate series market-aware', () => {
    const friday5m = new Date('2026-11-27T21:55:00Z');
    expect(assessAggregateFreshness({ latest: friday5m, now: SATURDAY, windowMinutes: 5, allowedMinutes: 26 })).toEqual(
      {
        state: 'market-closed',
        minutesBehind: 0,
      },
    );
    const stale = assessAggregateFreshness({
      latest: new Date('2026-11-27T20:00:00Z'),
      now: SATURDAY,
      windowMinutes: 5,
      allowedMinutes: 26,
    });
    expect(stale).toEqual({ state: 'stale', minutesBehind: 115 });
  });
});

describe('the pipeline signals of a live world', () => {
  const test = useTestWorld({ variant: 'production', now: MIDWEEK_NOW, days: 1 });
  const read = (sql: SqlOrTx = test.database.sql) =>
    readPipelineSignals(sql, { now: MIDWEEK_NOW, thresholds: THRESHOLDS });

  it('shows every cursor caught up and every writer fresh', async () => {
    const signals = await read();
    expect(signals.marketOpen).toBe(true);
    expect(signals.frontier?.through.getTime()).toBeGreaterThan(MIDWEEK_NOW.getTime() - 3 * MINUTE_MS);
    expect(signals.cursors.present).toBe(true);
    expect(signals.cursors.missingColumns).toEqual([]);
    const dxy5m = signals.cursors.tasks.find((t) => t.symbol === 'DXY' && t.timeframe === '5m');
    expect(dxy5m).toMatchObject({ state: 'ok', status: 'idle', hardFailStreak: 0, allowedLagMinutes: 26 });
    expect(dxy5m?.lagMinutes).toBeLessThanOrEqual(10);
    expect(signals.cursors.tasks.filter((t) => !['ok', 'not-judged'].includes(t.state))).toEqual([]);
    // Symbols outside DXY and its components are shown, but not judged against DXY's frontier.
    expect(signals.cursors.tasks.find((t) => t.symbol === 'BTCUSD' && t.timeframe === '5m')).toMatchObject({
      state: 'not-judged',
      lagMinutes: null,
    });
    const states = Object.fromEntries(signals.writers.map((w) => [`${w.label} ${w.table}`, w.state]));
    expect(states['EURUSD data_bars']).toBe('fresh');
    expect(states['DXY 1m derived_data_bars']).toBe('fresh');
    // Before phase 4 nothing writes DXY to data_bars.
    expect(states['DXY 1m data_bars']).toBe('no-data');
    expect(states['DXY 5m derived_data_bars']).toBe('fresh');
    expect(states['DXY 1h derived_data_bars']).toBe('fresh');
  });

  it('detects a stalled cursor, a hard_failed and a disabled task, and a failing one', async () => {
    const signals = await inRolledBackTransaction(test.database.sql, async (tx) => {
      await tx`update public.data_agg_state set last_agg_bar_ts_utc = ${new Date(MIDWEEK_NOW.getTime() - 2 * HOUR_MS)}
                where canonical_symbol = 'DXY' and timeframe = '5m'`;
      await tx`update public.data_agg_state set status = 'hard_failed', last_error = 'window failed', hard_fail_streak = 9
                where canonical_symbol = 'EURUSD' and timeframe = '5m'`;
      await tx`update public.data_agg_state set status = 'disabled' where canonical_symbol = 'USDJPY' and timeframe = '1h'`;
      await tx`update public.data_agg_state set last_error = 'deadlock detected', hard_fail_streak = 1
                where canonical_symbol = 'GBPUSD' and timeframe = '5m'`;
      return read(tx);
    });
    const state = (symbol: string, timeframe: string) =>
      signals.cursors.tasks.find((t) => t.symbol === symbol && t.timeframe === timeframe);
    expect(state('DXY', '5m')?.state).toBe('stalled');
    expect(state('DXY', '5m')?.lagMinutes).toBeGreaterThanOrEqual(118);
    expect(state('EURUSD', '5m')).toMatchObject({
      state: 'hard_failed',
      lastError: 'window failed',
      hardFailStreak: 9,
    });
    expect(state('USDJPY', '1h')?.state).toBe('disabled');
    expect(state('GBPUSD', '5m')?.state).toBe('erroring');
    // The same in GET /api/metrics' text format.
    const metrics = renderPipelineSignalsMetrics(signals);
    expect(metrics).toContain('dxy_cutover_agg_cursor_state{symbol="DXY",timeframe="5m",state="stalled"} 1');
    expect(metrics).toContain('dxy_cutover_agg_cursor_state{symbol="DXY",timeframe="5m",state="ok"} 0');
    expect(metrics).toContain('dxy_cutover_agg_cursor_state{symbol="EURUSD",timeframe="5m",state="hard_failed"} 1');
    expect(metrics).toMatch(/^dxy_cutover_agg_cursor_lag_minutes\{symbol="DXY",timeframe="5m"\} 1[12]\d$/m);
    expect(metrics).toContain('dxy_cutover_agg_cursor_allowed_lag_minutes{symbol="DXY",timeframe="5m"} 26');
    expect(metrics).toContain('dxy_cutover_pipeline_incidents_open{kind="cursor-stalled"} 0');
    expect(metrics).not.toContain('BTCUSD');
    expect(metrics).toMatch(
      /^dxy_cutover_writer_minutes_behind\{series="DXY 1m",table="data_bars",writer="new path \/ bridge",state="no-data"\} NaN$/m,
    );
  });

  it('reads a production table that lacks optional columns, saying which', async () => {
    const signals = await inRolledBackTransaction(test.database.sql, async (tx) => {
      await tx`alter table public.data_agg_state drop column hard_fail_streak, drop column last_successful_at_utc`;
      await tx`update public.data_agg_state set last_error = 'old error' where canonical_symbol = 'DXY' and timeframe = '1h'`;
      return read(tx);
    });
    expect(signals.cursors.missingColumns).toEqual(['last_successful_at_utc', 'hard_fail_streak']);
    const dxy1h = signals.cursors.tasks.find((t) => t.symbol === 'DXY' && t.timeframe === '1h');
    // Without a streak, a last_error left in place is all there is to go on.
    expect(dxy1h).toMatchObject({ hardFailStreak: null, lastSuccessfulAt: null, state: 'erroring' });
  });

  it('names the component holding the frontier back, and shows the writer stale', async () => {
    const signals = await inRolledBackTransaction(test.database.sql, async (tx) => {
      await tx`delete from public.data_bars where canonical_symbol = 'USDSEK' and timeframe = '1m'
                and ts_utc >= ${new Date(MIDWEEK_NOW.getTime() - 40 * MINUTE_MS)}`;
      return read(tx);
    });
    expect(signals.frontier?.laggingSymbols).toEqual(['USDSEK']);
    expect(signals.writers.find((w) => w.label === 'USDSEK')?.state).toBe('stale');
    // The DXY 5m cursor waits for USDSEK: it is not blamed for it.
    expect(signals.cursors.tasks.find((t) => t.symbol === 'DXY' && t.timeframe === '5m')?.state).toBe('ok');
  });
});

describe('the pipeline signals on a closed market', () => {
  const test = useTestWorld({ variant: 'production', now: SATURDAY, days: 2 });

  it('shows writers as market closed and cursors not behind, not stale', async () => {
    const signals = await readPipelineSignals(test.database.sql, { now: SATURDAY, thresholds: THRESHOLDS });
    expect(signals.marketOpen).toBe(false);
    // Every component reported up to (about) the close: the closed hours after it hold nothing back.
    expect(signals.frontier?.through.getTime()).toBeGreaterThanOrEqual(Date.parse('2026-11-27T21:45:00Z'));
    const states = new Set(signals.writers.filter((w) => w.latest !== null).map((w) => w.state));
    expect([...states]).toEqual(['market-closed']);
    const judged = signals.cursors.tasks.filter((t) => t.state !== 'not-judged');
    expect(judged).toHaveLength(14);
    expect(judged.filter((t) => t.state !== 'ok').map((t) => `${t.symbol} ${t.timeframe}`)).toEqual([]);
  });

  it('says a frontier held before Friday’s close by a provider gap is no longer awaited', async () => {
    // Two minutes, so that a random gap of another component at 21:59 alone does not share the blame.
    const signals = await inRolledBackTransaction(test.database.sql, async (tx) => {
      await tx`delete from public.data_bars where canonical_symbol = 'USDSEK' and timeframe = '1m'
                and ts_utc >= '2026-11-27T21:58:00Z'`;
      return readPipelineSignals(tx, { now: SATURDAY, thresholds: THRESHOLDS });
    });
    // Friday closes at 22:00 UTC: 21:58 and 21:59 are two open minutes, then 14 hours closed.
    expect(signals.frontier).toEqual({
      through: new Date('2026-11-27T21:58:00Z'),
      laggingSymbols: ['USDSEK'],
      lateMinutes: 2 + 14 * 60,
      stillAwaited: false,
    });
    // A gap, not a stalled writer: the market is closed.
    expect(signals.writers.find((w) => w.label === 'USDSEK')?.state).toBe('market-closed');
  });
});
