/**
 * What validate reports as findings of the data (docs/phases.md "Validate — before the night"):
 * the same facts phase 1 records, read with phase 1's own functions — the DXY rows an earlier
 * attempt left in data_bars (phase 2's fix normalizes them) and the holes in the legacy history
 * (they predate the migration; no check fails a phase for them).
 */
import type { SqlOrTx } from '../../db/connection';
import { describeLegacyHoles, findLegacyHoles } from '../phases/1-preflight/legacy-holes';
import { describeExistingDxyRows, readExistingDxyRows } from '../phases/shared/earlier-attempt';
import { errorText, finding, go, noGo, type ValidationItem } from './verdict';

/** Before any bar of any pipeline, as phase 1 reads it: the whole history. */
const HISTORY_START = new Date('1970-01-01T00:00:00Z');

export async function planFindings(sql: SqlOrTx, now: Date): Promise<ValidationItem[]> {
  try {
    return await readFindings(sql, now);
  } catch (error) {
    return [noGo('phase', 'DXY rows and holes in the history', `could not be read: ${errorText(error)}`)];
  }
}

async function readFindings(sql: SqlOrTx, now: Date): Promise<ValidationItem[]> {
  const existing = await readExistingDxyRows(sql);
  const holes = await findLegacyHoles(sql, { from: HISTORY_START, to: now });
  return [
    existing.length === 0
      ? go('phase', 'DXY rows already in data_bars (earlier attempts)', describeExistingDxyRows(existing))
      : finding(
          'phase',
          'DXY rows already in data_bars (earlier attempts)',
          describeExistingDxyRows(existing),
          existing,
        ),
    holes.completeWithoutLegacy === 0 && holes.legacyWithoutComponents === 0
      ? go('phase', 'Holes in the legacy history', describeLegacyHoles(holes))
      : finding('phase', 'Holes in the legacy history', describeLegacyHoles(holes), holes.days.slice(0, 50)),
  ];
}
