/**
 * The registry update of phase 5: exactly the four keys the plan settled on (docs/domain.md "The tables"),
 * merged into DXY's metadata — no thresholds, weights or versions.
 */
import { DXY_COMPONENTS } from '../../../market/dxy';

export const DXY_REGISTRY_METADATA = {
  is_synthetic: true,
  base_timeframe: '1m',
  components: [...DXY_COMPONENTS],
  derived_timeframes: ['5m', '1h'],
} as const;

export const REGISTRY_UPDATE_SQL = `UPDATE public.core_asset_registry_all
   SET metadata = coalesce(metadata, '{}'::jsonb) || '${JSON.stringify(DXY_REGISTRY_METADATA)}'::jsonb
 WHERE canonical_symbol = 'DXY'`;
