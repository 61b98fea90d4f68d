/**
 * The 24-hour window of phase 8: it starts at phase 7's verified end (clock time) and consists of
 * at least the 24 clock hours from the first full hour after that. An hour's snapshot is due a few
 * minutes after the hour ends (when its last 5m window has been aggregated).
 *
 * A closed market proves nothing (no bars are expected, so every check passes), so the window is
 * complete only when it also holds `minOpenHours` (CUTOVER_WINDOW_MIN_OPEN_HOURS) open-market hours
 * that passed (PASS or WARN); until then it extends hour by hour. A window that starts on a Friday
 * evening therefore runs into Monday. docs: README "On call".
 */
import type { SqlOrTx } from '../db/connection';
import { getActiveMigrationRun, getLatestMigrationRun } from '../db/tables/migration-runs';
import { firstSucceededClockFinish } from '../db/tables/phase-runs';
import { countOpenMinutes } from '../market/market-hours';
import { readSetting } from '../settings';
import { HOUR_MS } from '../time-units';
import type { Verdict } from './hourly-checks';

/** The window's least length; it extends past this while it lacks open-market evidence. */
export const WINDOW_HOURS = 24;
/** A bound on the walk: with at most 24 open hours needed, a week (120 open hours) always suffices. */
const MAX_WINDOW_HOURS = 24 * 8;
/** The hour's last 5m window is aggregated ~5.5 min after the hour; its 1h bar soon after. */
export const SNAPSHOT_DELAY_MS = 7 * 60_000;
/** A snapshot taken this long after it was due is marked late. */
export const LATE_AFTER_MS = 15 * 60_000;

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
 * The window's length from the snapshots taken so far (by hour start). Taken hours are a prefix
 * of the window (takeDueSnapshots takes them in order, late ones included); the hours to come
 * are assumed to pass when open, so the estimate only grows when an hour fails.
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
