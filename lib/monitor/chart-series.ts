/**
 * Pure mapping from the window's hour slots to one chart series per check: the x axis is the
 * clock hour, the y value the check's number, thresholds as reference values. No React here.
 */
import type { Jsonified } from '../json';
import type { SnapshotCheck, Verdict } from './hourly-checks';
import type { HourSlot } from './read-monitor-state';

export interface ChartPoint {
  hour: string;
  value: number | null;
  verdict: Verdict | null;
}

export interface CheckSeries {
  key: SnapshotCheck['key'];
  name: string;
  points: ChartPoint[];
  warnAt: number | null;
  failAt: number | null;
  threshold: string;
}

export function hourLabel(iso: string): string {
  return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
}

export function toCheckSeries(slots: Jsonified<HourSlot>[]): CheckSeries[] {
  const keys = new Map<string, { name: string; threshold: string; warnAt: number | null; failAt: number | null }>();
  for (const slot of slots) {
    for (const check of slot.checks) {
      // The latest snapshot's thresholds describe the line to draw.
      keys.set(check.key, { name: check.name, threshold: check.threshold, warnAt: check.warnAt, failAt: check.failAt });
    }
  }
  return [...keys.entries()].map(([key, meta]) => ({
    key: key as SnapshotCheck['key'],
    ...meta,
    points: slots.map((slot) => {
      const check = slot.checks.find((c) => c.key === key);
      return {
        hour: hourLabel(slot.hourStart),
        value: check ? check.value : null,
        verdict: check ? check.verdict : null,
      };
    }),
  }));
}
