/**
 * The pipeline's functions as a rehearsal world has them before the migration, in the world's schema
 * variant. The definitions are the pipeline's own (../pipeline/): the same SQL phase 5 draws its
 * replacement from, so the world rehearses against what production runs.
 * - `production` — production's real signatures and result shapes: calc_dxy_range_derived,
 *   _upsert_derived_bar, the one-window aggregators and catchup_aggregation_range;
 * - `plan` — what the written plan assumed: calc_dxy_range_derived and range aggregators with three
 *   arguments returning the number of bars written.
 * Before the migration the 5m aggregation reads data_bars UNION ALL active derived 1m.
 */
import { aggregate1mTo5mWindowSql, aggregate5mTo1hWindowSql } from '../pipeline/aggregator-sql';
import { calcDxyRangeDerivedSql } from '../pipeline/calc-dxy-range-derived-sql';
import { CATCHUP_AGGREGATION_RANGE_SQL } from '../pipeline/catchup-aggregation-sql';
import { UPSERT_DERIVED_BAR_SQL } from '../pipeline/upsert-derived-bar-sql';
import type { PipelineVariant } from '../pipeline/variant';

/** The plan variant's pre-migration 1m→5m aggregator. */
export const AGGREGATE_1M_TO_5M_LEGACY_SQL = aggregate1mTo5mWindowSql('plan', 'union');

/** Every pipeline function of a variant's pre-migration world, in creation order. */
export function pipelineFunctionsSql(variant: PipelineVariant): string[] {
  if (variant === 'plan') {
    return [calcDxyRangeDerivedSql('plan'), AGGREGATE_1M_TO_5M_LEGACY_SQL, aggregate5mTo1hWindowSql('plan')];
  }
  return [
    calcDxyRangeDerivedSql('production'),
    UPSERT_DERIVED_BAR_SQL,
    aggregate1mTo5mWindowSql('production', 'union'),
    aggregate5mTo1hWindowSql('production'),
    CATCHUP_AGGREGATION_RANGE_SQL,
  ];
}
