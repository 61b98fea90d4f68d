/**
 * The tick-factory's DXY derivation along the deployed mode: legacy → calc_dxy_range_derived;
 * dual → both functions; final → calc_dxy_range_1m only — by name with named arguments, as the real
 * worker calls them through PostgREST. Both functions skip minutes that lack a component and
 * upsert, so deriving over a look-back window derives the minutes that became complete late and
 * re-derives revised ones.
 */
import type { TransactionSql } from 'postgres';
import type { IngestionSchedule, WorkerMode } from '../../db/console-schema';
import { MINUTE_MS } from '../../time-units';

/** How far back a staggered run derives: longer than the longest single-symbol hold-back (60 min) plus its lag. */
export const DERIVE_LOOKBACK_MINUTES = 90;

/**
 * The window a run derives over, ending at the run's time: together, only the run's minute (all its
 * components landed in this run); staggered, the last DERIVE_LOOKBACK_MINUTES. Either way it reaches
 * back to the oldest minute this run revised.
 */
export function derivationWindow(params: {
  minute: Date;
  runAt: Date;
  schedule: IngestionSchedule;
  revised: readonly Date[];
}): { from: Date; to: Date } {
  const base =
    params.schedule === 'together'
      ? params.minute.getTime()
      : params.runAt.getTime() - DERIVE_LOOKBACK_MINUTES * MINUTE_MS;
  const from = Math.min(base, ...params.revised.map((m) => m.getTime()));
  return { from: new Date(from), to: params.runAt };
}

export async function deriveDxy(
  sql: TransactionSql,
  params: { from: Date; to: Date; mode: WorkerMode },
): Promise<Record<string, unknown>> {
  const results: Record<string, unknown> = {};
  if (params.mode === 'dual' || params.mode === 'final') {
    const [row] = await sql`
      select public.calc_dxy_range_1m(p_from_utc => ${params.from}, p_to_utc => ${params.to}) as result`;
    results.data_bars = row?.result;
  }
  if (params.mode === 'legacy' || params.mode === 'dual') {
    const [row] = await sql`
      select public.calc_dxy_range_derived(p_from_utc => ${params.from}, p_to_utc => ${params.to}) as result`;
    const result = row?.result as { success?: boolean; error?: string } | undefined;
    // The legacy function swallows its own errors; a real worker would log success:false as a failure.
    if (!result?.success) throw new Error(`calc_dxy_range_derived returned success:false: ${result?.error ?? ''}`);
    results.derived_data_bars = result;
  }
  return results;
}
