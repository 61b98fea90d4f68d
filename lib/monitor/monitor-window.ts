/**
 * The 24-hour window of phase 8: it starts at phase 7's verified end (clock time) and consists of
 * at least the 24 clock hours from the first full hour after that. An hour's snapshot is due a few
 * minutes after the hour ends (when its last 5m window has been aggregated).
 *
 * A closed market proves nothing (no bars are expected, so every check passes), so the window is
 * complete only when it also holds `minOpenHours` (CUTOVER_WINDOW_MIN_OPEN_HOURS) open-market hours
 * that passed (PASS or WARN) and settled (no late data can change them any more); until then it
 * extends hour by hour. A window that starts on a Friday
 * evening therefore runs into Monday. docs: README "On call".
 */
import type { SqlOrTx } from '../db/connection';
import { getActiveMigrationRun, getLatestMigrationRun } from '../db/tables/migration-runs';
import { firstSucceededClockFinish } from '../db/tables/phase-runs';
import { countOpenMinutes } from '../market/market-hours';
import { readSetting } from '../settings';
import { HOUR_MS, MINUTE_MS } from '../time-units';
import type { Verdict } from './hourly-checks';

/** The window's least length; it extends past this while it lacks open-market evidence. */
export const WINDOW_HOURS = 24;
/** A bound on the walk: with at most 24 open hours needed, a week (120 open hours) always suffices. */
const MAX_WINDOW_HOURS = 24 * 8;
/** The hour's last 5m window is aggregated ~5.5 min after the hour; its 1h bar soon after. */
export const SNAPSHOT_DELAY_MS = 7 * 60_000;
/** A snapshot taken this long after it was due is marked late. */
export const LATE_AFTER_MS = 15 * 60_000;
/**
 * An hour settles once every component has reported this far past its end (the data frontier,
 * lib/market/data-frontier.ts): the same margin on-time data has at the snapshot's due time, so
 * DXY and the hour's last 5m window have been derived from its late minutes too.
 */
const SETTLE_GRACE_MS = SNAPSHOT_DELAY_MS;

export interface MonitorWindow {
  migrationRunId: number;
  startedAt: Date;
  firstHour: Date;
  endsAt: Date;
}

export function hourStartOf(window: MonitorWindow, index: number): Date {
  return new Date(window.firstHour.getTime() + index * HOUR_MS);
}

export function snapshotDueAt(hourStart: Date): Date {
  return new Date(hourStart.getTime() + HOUR_MS + SNAPSHOT_DELAY_MS);
}

/**
 * Whether an hour's snapshot is final: the data frontier passed its end plus the grace (complete),
 * or `maxSettleMinutes` (CUTOVER_MONITOR_SETTLE_MAX_MINUTES) have passed since its end (judged as
 * it stands: data that late is not waited for). Until then it is provisional and re-evaluated.
 * A closed hour judges no minute of its own, so it does not wait for the frontier either: one held
 * before the close (a component with no bar for Friday's last minute) would otherwise keep every
 * weekend hour provisional for the max settle time. The previous hour's 1h bar, which a closed hour
 * still expects after an open one, is waited for through the 1h cursor.
 */
export function settleDecision(params: {
  hourStart: Date;
  frontier: Date;
  now: Date;
  maxSettleMinutes: number;
  /**
   * DXY's aggregation cursors (data_agg_state: the start of the next window each will process), or
   * null where there is none. Complete data is not enough: the hour's 5m windows (and the previous
   * hour's 1h bar) are judged too, so the hour waits until the aggregator has walked past them —
   * late minutes make it run late. A stalled aggregator settles at the max settle time, as it stands.
   */
  cursors?: { fiveMinute: Date | null; hour: Date | null };
}): {
  settled: boolean;
  reason: 'complete' | 'max settle time' | 'provisional';
  settlesBy: Date;
} {
  const hourEnd = params.hourStart.getTime() + HOUR_MS;
  const settlesBy = new Date(hourEnd + params.maxSettleMinutes * MINUTE_MS);
  // A closed hour expects no 5m bar (and one after a closed hour no 1h bar): the cursors wait at the
  // last data then ("an empty window does not advance"), so they are not waited for.
  const start = params.hourStart.getTime();
  const fiveMinuteDone =
    !params.cursors?.fiveMinute || params.cursors.fiveMinute.getTime() >= hourEnd || !isMarketHour(params.hourStart);
  const hourBarDone =
    !params.cursors?.hour || params.cursors.hour.getTime() >= start || !isMarketHour(new Date(start - HOUR_MS));
  const dataDone = params.frontier.getTime() >= hourEnd + SETTLE_GRACE_MS || !isMarketHour(params.hourStart);
  if (dataDone && fiveMinuteDone && hourBarDone) return { settled: true, reason: 'complete', settlesBy };
  if (params.now >= settlesBy) return { settled: true, reason: 'max settle time', settlesBy };
  return { settled: false, reason: 'provisional', settlesBy };
}

/** CUTOVER_MONITOR_SETTLE_MAX_MINUTES (lib/settings.ts). */
export function defaultMaxSettleMinutes(): number {
  return readSetting('CUTOVER_MONITOR_SETTLE_MAX_MINUTES');
}

/** True when the hour [hourStart, +1 h) has any open-market minute: bars are expected in it. */
export function isMarketHour(hourStart: Date): boolean {
  return countOpenMinutes(hourStart, new Date(hourStart.getTime() + HOUR_MS)) > 0;
}

/** An hour is evidence when the market was open in it and its snapshot passed (PASS or WARN). */
export function isEvidenceHour(hourStart: Date, verdict: Verdict): boolean {
  return verdict !== 'FAIL' && isMarketHour(hourStart);
}

export interface WindowSpan {
  /** Hours in the window: 24, or more while open-market evidence is short (estimated until complete). */
  hours: number;
  /** Every hour of the window has its snapshot, and enough of them are evidence. */
  complete: boolean;
  /** Open-market hours that passed, among the snapshots taken so far. */
  openHoursPassed: number;
  /** The window runs (or is expected to run) past 24 hours. */
  extended: boolean;
  /** End of the window's last hour; an estimate (every open hour to come passing) until complete. */
  endsAt: Date;
}

/**
 * The window's length from the settled snapshots so far (by hour start): a provisional hour is
 * passed to it as not yet taken, so it counts as passed only once settled. Settled hours are a
 * prefix of the window (takeDueSnapshots takes and settles them in order, late ones included); the
 * hours to come are assumed to pass when open, so the estimate only grows when an hour fails.
 */
export function windowSpan(
  window: MonitorWindow,
  verdicts: ReadonlyMap<number, Verdict>,
  minOpenHours: number,
): WindowSpan {
  let passed = 0;
  let expected = 0;
  let prefixTaken = true;
  let hours = MAX_WINDOW_HOURS;
  for (let index = 0; index < MAX_WINDOW_HOURS; index++) {
    const hourStart = hourStartOf(window, index);
    const verdict = prefixTaken ? verdicts.get(hourStart.getTime()) : undefined;
    if (verdict === undefined) {
      prefixTaken = false;
      if (isMarketHour(hourStart)) expected += 1;
    } else if (isEvidenceHour(hourStart, verdict)) {
      passed += 1;
    }
    if (index + 1 >= WINDOW_HOURS && passed + expected >= minOpenHours) {
      hours = index + 1;
      break;
    }
  }
  return {
    hours,
    complete: prefixTaken && passed >= minOpenHours,
    openHoursPassed: passed,
    extended: hours > WINDOW_HOURS,
    endsAt: hourStartOf(window, hours),
  };
}

/** CUTOVER_WINDOW_MIN_OPEN_HOURS (lib/settings.ts), the setting of this window. */
export function defaultMinOpenHours(): number {
  return readSetting('CUTOVER_WINDOW_MIN_OPEN_HOURS');
}

export function windowFrom(migrationRunId: number, startedAt: Date): MonitorWindow {
  const firstHour = new Date(Math.ceil(startedAt.getTime() / HOUR_MS) * HOUR_MS);
  return { migrationRunId, startedAt, firstHour, endsAt: new Date(firstHour.getTime() + WINDOW_HOURS * HOUR_MS) };
}

/** The window of the current (or, when none is active, the latest) migration run, once phase 7 has succeeded. */
export async function readMonitorWindow(
  sql: SqlOrTx,
  options: { activeOnly?: boolean } = {},
): Promise<MonitorWindow | null> {
  const migration =
    (await getActiveMigrationRun(sql)) ?? (options.activeOnly ? null : await getLatestMigrationRun(sql));
  if (!migration) return null;
  // Phase 7 (deploy `final`) ends where the window starts.
  const deployedAt = await firstSucceededClockFinish(sql, { migrationRunId: migration.id, phase: '7' });
  if (!deployedAt) return null;
  return windowFrom(migration.id, deployedAt);
}
