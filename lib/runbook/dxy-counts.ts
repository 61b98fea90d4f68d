/**
 * Moved to lib/market/dxy-counts.ts (it counts rows of the pipeline's tables, which the monitor
 * reads too); this name stays until lib/runbook/phases/phase-1-preflight.ts imports it from there.
 */
export { countDxyRows, type DxyCounts } from '../market/dxy-counts';
