/**
 * The pipeline's functions the workers and the migration call, by name (docs/domain.md): the rehearsal
 * world creates them, an import must bring them, phase 1 backs up every overload of each.
 */
export const PIPELINE_FUNCTION_NAMES = [
  'calc_dxy_range_derived',
  'calc_dxy_range_1m',
  '_upsert_derived_bar',
  'aggregate_1m_to_5m_window',
  'aggregate_5m_to_1h_window',
  'catchup_aggregation_range',
] as const;
