/** The assertion every copy test ends with: each active legacy minute copied once, as the run reports. */
import { expect } from 'vitest';
import type { Database } from '../lib/db/connection';
import type { PhaseRunRow } from '../lib/runbook/engine/run-state';

export async function expectExactCopy(database: Database, run: PhaseRunRow): Promise<void> {
  const [counts] = await database.sql<{ legacy: number; copied: number; distinct_minutes: number }[]>`
    select (select count(*)::int from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null) as legacy,
           count(*)::int as copied, count(distinct ts_utc)::int as distinct_minutes
      from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m'`;
  expect(counts?.copied).toBe(counts?.legacy);
  expect(counts?.distinct_minutes).toBe(counts?.copied);
  expect(run.progress.rowsWritten).toBe(counts?.copied);
}
