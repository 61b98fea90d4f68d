/**
 * DXY counts for the pages and endpoints that poll them. Each count reads every DXY minute of
 * both tables (≈ 150 ms on two years of history), and twenty viewers polling every two seconds
 * would run it ten times a second against the production primary — during the copy, too. So one
 * count is shared by every request for MAX_AGE_MS, and concurrent requests wait for the same
 * count instead of starting their own; the status says when it was taken.
 */
import type { Sql } from 'postgres';
import { countDxyRows, type DxyCounts } from '../market/dxy-counts';

export const MAX_AGE_MS = 5_000;

export interface TimedDxyCounts extends DxyCounts {
  countedAt: Date;
}

const latest = new WeakMap<Sql, { startedAt: number; counts: Promise<TimedDxyCounts> }>();

export function sharedDxyCounts(sql: Sql, nowMs: number = Date.now()): Promise<TimedDxyCounts> {
  const entry = latest.get(sql);
  if (entry && nowMs - entry.startedAt < MAX_AGE_MS) return entry.counts;
  const counts = countDxyRows(sql).then((c) => ({ ...c, countedAt: new Date() }));
  latest.set(sql, { startedAt: nowMs, counts });
  // A failed count is not shared: the next request tries again.
  counts.catch(() => {
    if (latest.get(sql)?.counts === counts) latest.delete(sql);
  });
  return counts;
}
