/**
 * The monitor's view of the window: its hour slots (24, or more while it extends for lack of
 * open-market hours) with their snapshot (or why there is none yet), the countdown to its
 * (estimated) end, and whether it is complete and clean — which phase 9 needs. An hour with the
 * market closed all hour that passed its checks is shown as `closed`: it is no evidence.
 */
import type { Sql } from 'postgres';
import { listMonitorSnapshots, type MonitorSnapshot } from '../db/tables/monitor-snapshots';
import { HOUR_MS, MINUTE_MS } from '../time-units';
import type { SnapshotCheck, Verdict } from './hourly-checks';
import {
  defaultMaxSettleMinutes,
  defaultMinOpenHours,
  hourStartOf,
  isMarketHour,
  type MonitorWindow,
  readMonitorWindow,
  snapshotDueAt,
  WINDOW_HOURS,
  type WindowSpan,
  windowSpan,
} from './monitor-window';

export interface HourSlot {
  index: number;
  hourStart: Date;
  /**
   * `closed`: taken, passed, but the market was closed all hour (no bars expected, nothing proven).
   * `provisional`: taken, but late component data may still change it (its verdict so far in `provisionalVerdict`).
   */
  state: Verdict | 'closed' | 'upcoming' | 'due' | 'provisional';
  /** The verdict so far of a provisional hour; null once settled or not taken. */
  provisionalVerdict: Verdict | null;
  /** When a provisional hour is settled as it stands at the latest (CUTOVER_MONITOR_SETTLE_MAX_MINUTES). */
  settlesBy: Date | null;
  /** The data frontier at the hour's last evaluation, and how many evaluations it had. */
  dataThrough: Date | null;
  evaluations: number;
  /** Bars are expected in this hour (any open-market minute). Set by buildHourSlots. */
  marketOpen?: boolean;
  /** The hour lies past the first 24: the window extended to find enough open-market hours. */
  extension?: boolean;
  late: boolean;
  takenAt: Date | null;
  waivedBy: string | null;
  waiverReason: string | null;
  snapshotId: number | null;
  checks: SnapshotCheck[];
}

export interface MonitorState {
  window: MonitorWindow | null;
  now: Date;
  slots: HourSlot[];
  taken: number;
  /** Enough hours taken (≥ 24) and at least `minOpenHours` of them open-market hours that passed. */
  complete: boolean;
  /** CUTOVER_WINDOW_MIN_OPEN_HOURS. */
  minOpenHours: number;
  /** Open-market hours that passed (PASS or WARN) so far. */
  openHoursPassed: number;
  /** Hours taken with the market closed all hour. */
  closedHours: number;
  /** Hours taken but not settled yet (late data may still change them). */
  provisionalHours: number;
  /** The window runs (or is expected to run) past 24 hours for lack of open-market hours. */
  extended: boolean;
  /** End of the window's last hour: exact once complete, else estimated (open hours to come passing). */
  estimatedEnd: Date | null;
  /** FAIL hours no approver has waived. */
  unwaivedFailures: number;
  latest: HourSlot | null;
  /** Until `estimatedEnd`. */
  msUntilEnd: number | null;
}

/** A row of cutover.monitor_snapshots (lib/db/tables/monitor-snapshots.ts), as buildHourSlots takes it. */
export type SnapshotRow = MonitorSnapshot;

export async function readMonitorState(sql: Sql, params: { now: Date; minOpenHours?: number }): Promise<MonitorState> {
  const minOpenHours = params.minOpenHours ?? defaultMinOpenHours();
  const window = await readMonitorWindow(sql);
  if (!window) {
    return {
      window: null,
      now: params.now,
      slots: [],
      taken: 0,
      complete: false,
      minOpenHours,
      openHoursPassed: 0,
      closedHours: 0,
      provisionalHours: 0,
      extended: false,
      estimatedEnd: null,
      unwaivedFailures: 0,
      latest: null,
      msUntilEnd: null,
    };
  }
  const rows = await listMonitorSnapshots(sql, { migrationRunId: window.migrationRunId });
  const { slots, span } = buildHourSlots(window, rows, {
    now: params.now,
    minOpenHours,
    maxSettleMinutes: defaultMaxSettleMinutes(),
  });
  const taken = slots.filter((s) => s.takenAt !== null);
  return {
    window,
    now: params.now,
    slots,
    taken: taken.length,
    complete: span.complete,
    minOpenHours,
    openHoursPassed: span.openHoursPassed,
    closedHours: taken.filter((s) => !s.marketOpen).length,
    provisionalHours: taken.filter((s) => s.state === 'provisional').length,
    extended: span.extended,
    estimatedEnd: span.endsAt,
    unwaivedFailures: taken.filter((s) => s.state === 'FAIL' && !s.waivedBy).length,
    latest: taken.at(-1) ?? null,
    msUntilEnd: Math.max(0, span.endsAt.getTime() - params.now.getTime()),
  };
}

/**
 * The window's hour slots from its snapshots: as many as the window has (24, or more while it
 * extends), each with its state. `now` null (a report, a record rather than a live view): an hour
 * without a snapshot is `upcoming`, never `due`.
 */
export function buildHourSlots(
  window: MonitorWindow,
  rows: SnapshotRow[],
  params: { now: Date | null; minOpenHours: number; maxSettleMinutes: number },
): { slots: HourSlot[]; span: WindowSpan } {
  const byHour = new Map(rows.map((r) => [r.hourStart.getTime(), r]));
  // Only settled hours count as passed (or failed) for the window's length.
  const settled = new Map(rows.filter((r) => r.settledAt).map((r) => [r.hourStart.getTime(), r.verdict]));
  const span = windowSpan(window, settled, params.minOpenHours);
  const slots: HourSlot[] = [];
  for (let index = 0; index < span.hours; index++) {
    const hourStart = hourStartOf(window, index);
    const row = byHour.get(hourStart.getTime());
    const marketOpen = isMarketHour(hourStart);
    slots.push({
      index,
      hourStart,
      state: row
        ? !row.settledAt
          ? 'provisional'
          : row.verdict === 'PASS' && !marketOpen
            ? 'closed'
            : row.verdict
        : params.now && snapshotDueAt(hourStart) <= params.now
          ? 'due'
          : 'upcoming',
      provisionalVerdict: row && !row.settledAt ? row.verdict : null,
      settlesBy:
        row && !row.settledAt ? new Date(hourStart.getTime() + HOUR_MS + params.maxSettleMinutes * MINUTE_MS) : null,
      dataThrough: row?.dataThrough ?? null,
      evaluations: row?.evaluations ?? 0,
      marketOpen,
      extension: index >= WINDOW_HOURS,
      late: row?.late ?? false,
      takenAt: row?.takenAt ?? null,
      waivedBy: row?.waivedBy ?? null,
      waiverReason: row?.waiverReason ?? null,
      snapshotId: row?.id ?? null,
      checks: row?.checks ?? [],
    });
  }
  return { slots, span };
}

/**
 * One line on the window's progress, for phase 9's precondition and the overview: how many
 * open-market hours passed of those needed, and, when it extends, until when (estimated).
 */
export function describeWindowProgress(state: MonitorState): string {
  if (!state.window) return 'the window has not started';
  const hours = `${state.taken} hourly snapshots, ${state.openHoursPassed} of ${state.minOpenHours} open-market hours passed`;
  const closed =
    (state.closedHours > 0 ? `, ${state.closedHours} with the market closed` : '') +
    (state.provisionalHours > 0 ? `, ${state.provisionalHours} provisional (waiting for late data)` : '');
  if (state.complete) return `complete: ${hours}${closed}`;
  const end = state.estimatedEnd?.toISOString() ?? '—';
  return state.extended
    ? `${hours}${closed}; extended hour by hour for lack of open-market hours, until about ${end} (estimated)`
    : `${hours}${closed}; ends ${end}`;
}
