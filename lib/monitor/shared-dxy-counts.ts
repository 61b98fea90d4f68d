/**
 * DXY counts for the pages and endpoints that poll them. Each count reads every DXY minute of
 * both tables (≈ 150 ms on two years of history; on ten 0.4–0.7 s with parallel workers, about twice
 * that on one backend, and more during the copy while the copied pages are not yet all-visible), and twenty viewers polling every two seconds would run it ten
 * times a second against the production primary — during the copy, too. So one count is shared by
 * every request, and concurrent requests wait for the same count instead of starting their own; the
 * status says when it was taken. It is shared for MIN_AGE_MS, or for COST_SHARE times as long as it
 * took when that is longer, and runs on one backend (no parallel workers: a poll does not take the
 * primary's shared pool of them from its writers): however long the history, the console's counting
 * costs the primary at most 1/COST_SHARE of one backend (docs/architecture.md "Performance").
 */
import type { Sql } from 'postgres';
import { countDxyRows, type DxyCounts } from '../market/dxy-counts';

export const MIN_AGE_MS = 5_000;
export const COST_SHARE = 20;

export interface TimedDxyCounts extends DxyCounts {
  countedAt: Date;
}

interface SharedCount {
  startedAt: number;
  /** Until the count has finished: shared whatever its age (a second count would only add load). */
  maxAgeMs: number;
  counts: Promise<TimedDxyCounts>;
}

const latest = new WeakMap<Sql, SharedCount>();

/** countDxyRows on one backend. */
function countOnOneBackend(sql: Sql): Promise<DxyCounts> {
  return sql.begin(async (tx) => {
    await tx`set local max_parallel_workers_per_gather = 0`;
    return countDxyRows(tx);
  });
}

export function sharedDxyCounts(
  sql: Sql,
  nowMs: number = Date.now(),
  count: (sql: Sql) => Promise<DxyCounts> = countOnOneBackend,
): Promise<TimedDxyCounts> {
  const entry = latest.get(sql);
  if (entry && nowMs - entry.startedAt < entry.maxAgeMs) return entry.counts;
  const started = performance.now();
  const shared: SharedCount = {
    startedAt: nowMs,
    maxAgeMs: Number.POSITIVE_INFINITY,
    counts: count(sql).then((c) => {
      shared.maxAgeMs = Math.max(MIN_AGE_MS, COST_SHARE * (performance.now() - started));
      return { ...c, countedAt: new Date() };
    }),
  };
  latest.set(sql, shared);
  // A failed count is not shared: the next request tries again.
  shared.counts.catch(() => {
    if (latest.get(sql) === shared) latest.delete(sql);
  });
  return shared.counts;
}
