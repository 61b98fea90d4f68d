/**
 * What a rollback returns to: phase 1's verified backup, and when phase 1 ran (the migration touched nothing
 * before it).
 */
import { firstSucceededClockStart } from '../../../db/tables/phase-runs';
import type { PhaseContext } from '../../engine/types';
import { getBackup, type StoredBackup } from '../shared/backup';

export async function requireBackup(ctx: PhaseContext): Promise<StoredBackup> {
  const backup = await getBackup(ctx.sql, { migrationRunId: ctx.run.migrationRunId });
  if (!backup?.verified) throw new Error('No verified phase-1 backup for this migration run: nothing to roll back to.');
  return backup;
}

/** When phase 1 ran (clock time): the migration touched nothing before it. */
export async function touchedFromOf(ctx: PhaseContext): Promise<Date> {
  const at = await firstSucceededClockStart(ctx.sql, { migrationRunId: ctx.run.migrationRunId, phase: '1' });
  if (!at) throw new Error('Phase 1 of this migration run never succeeded: no backup time to roll back to.');
  return at;
}
