/**
 * The monitor's view of the 24-hour window: 24 hour slots with their snapshot (or why there is
 * none yet), the countdown, and whether the window is complete and clean — which phase 9 needs.
 */
import type { Sql } from 'postgres';
import type { SnapshotCheck, Verdict } from './hourly-checks';
import { hourStartOf, type MonitorWindow, readMonitorWindow, snapshotDueAt, WINDOW_HOURS } from './monitor-window';

export interface HourSlot {
  index: number;
  hourStart: Date;
  state: Verdict | 'upcoming' | 'due';
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
  complete: boolean;
  /** FAIL hours no approver has waived. */
  unwaivedFailures: number;
  latest: HourSlot | null;
  msUntilEnd: number | null;
}

interface SnapshotRow {
  id: number;
  hour_index: number;
  hour_start: Date;
  taken_at: Date;
  late: boolean;
  verdict: Verdict;
  checks: SnapshotCheck[];
  waived_by: string | null;
  waiver_reason: string | null;
}

export async function readMonitorState(sql: Sql, params: { now: Date }): Promise<MonitorState> {
  const window = await readMonitorWindow(sql);
  if (!window) {
    return {
      window: null,
      now: params.now,
      slots: [],
      taken: 0,
      complete: false,
      unwaivedFailures: 0,
      latest: null,
      msUntilEnd: null,
    };
  }
  const rows = await sql<SnapshotRow[]>`
    select id, hour_index, hour_start, taken_at, late, verdict, checks, waived_by, waiver_reason
      from cutover.monitor_snapshots where migration_run_id = ${window.migrationRunId} order by hour_start`;
  const byHour = new Map(rows.map((r) => [r.hour_start.getTime(), r]));
  const slots: HourSlot[] = [];
  for (let index = 0; index < WINDOW_HOURS; index++) {
    const hourStart = hourStartOf(window, index);
    const row = byHour.get(hourStart.getTime());
    slots.push({
      index,
      hourStart,
      state: row ? row.verdict : snapshotDueAt(hourStart) <= params.now ? 'due' : 'upcoming',
      late: row?.late ?? false,
      takenAt: row?.taken_at ?? null,
      waivedBy: row?.waived_by ?? null,
      waiverReason: row?.waiver_reason ?? null,
      snapshotId: row?.id ?? null,
      checks: row?.checks ?? [],
    });
  }
  const taken = slots.filter((s) => s.takenAt !== null);
  return {
    window,
    now: params.now,
    slots,
    taken: taken.length,
    complete: taken.length === WINDOW_HOURS,
    unwaivedFailures: taken.filter((s) => s.state === 'FAIL' && !s.waivedBy).length,
    latest: taken.at(-1) ?? null,
    msUntilEnd: Math.max(0, window.endsAt.getTime() - params.now.getTime()),
  };
}
