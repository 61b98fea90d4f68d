/** What phase 9 stores between its steps: its stage, the deployment and quiet times, the fence's install time, counts. */
import { z } from 'zod';
import type { SoftDeleteChecks } from './soft-delete-batch-check';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

export const SOFT_DELETE_CHECKPOINT = z.looseObject({
  stage: z.enum(['final-proof', 'deploying', 'proving-stop', 'soft-deleting', 'holding']).optional(),
  deployedAt: z.string().optional(),
  /** Clock time from which the legacy writer must be silent. */
  quietFrom: z.string().optional(),
  /** The database's own time at quietFrom: legacy rows' updated_at/created_at are compared with it. */
  quietFromDb: z.string().optional(),
  /** Rows this attempt soft-deleted. */
  deletedRows: z.number().optional(),
  /** Rows earlier attempts of this migration run soft-deleted (and no rollback restored). */
  deletedBefore: z.number().optional(),
  deletedAt: z.string().optional(),
  totalAtStart: z.number().optional(),
  /** Clock and database time the fence on legacy writes was installed (../shared/legacy-fence.ts), with the switch. */
  fenceInstalledAt: z.string().optional(),
  fenceInstalledAtDb: z.string().optional(),
  /** This attempt's batches as their own checks found them before each commit (./soft-delete-batch-check.ts). */
  checked: z.custom<SoftDeleteChecks>((v) => isObject(v) && typeof v.batches === 'number').optional(),
});
export type SoftDeleteCheckpoint = z.infer<typeof SOFT_DELETE_CHECKPOINT>;
