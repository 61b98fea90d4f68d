/**
 * What phase 4 stores between its batches (cursor, counts, method, the catch-up, what could not be regenerated),
 * the method it runs with, and whether a retry may continue from a failed attempt's checkpoint.
 */
import { z } from 'zod';
import { VERIFIED_WINDOW } from './copy-batch-check';

export type CopyMethod = 'copy' | 'regenerate';

export const COPY_CHECKPOINT = z.looseObject({
  cursor: z.string().optional(),
  batches: z.number().optional(),
  rowsScanned: z.number().optional(),
  rowsWritten: z.number().optional(),
  /** Rows an earlier copy wrote whose values legacy had revised, rewritten (part of rowsWritten). */
  rowsRevised: z.number().optional(),
  startedWallMs: z.number().optional(),
  totalAtStart: z.number().optional(),
  /** The slowest batch so far (docs/architecture.md "Performance": every batch commits within 2 s). */
  maxBatchMs: z.number().optional(),
  /** Rows per batch now: CUTOVER_COPY_BATCH_ROWS, halved after each statement timeout. */
  batchRows: z.number().optional(),
  /** The method these batches were written with (absent in checkpoints older than the field: copy). */
  method: z.enum(['copy', 'regenerate']).optional(),
  /** The run whose batches reached the end of history. */
  completedByRun: z.number().optional(),
  /** The last batch's catch-up of provider revisions (copy-catch-up.ts), and the run that did it. */
  catchUp: z.object({ at: z.string(), from: z.string(), revised: z.number(), rederived: z.number() }).optional(),
  caughtUpByRun: z.number().optional(),
  /** The first legacy minute when this copy started from the beginning of history. */
  historyFrom: z.string().optional(),
  /** The window the batches checked before each commit, and what they found (copy-batch-check.ts). */
  verified: VERIFIED_WINDOW.optional(),
  /** Why a run started from the beginning instead of a previous attempt's cursor. */
  restarted: z.object({ run: z.number(), reason: z.string() }).optional(),
  /** Regenerate only: legacy minutes calc_dxy_range_1m could not compute, copied from legacy. */
  notRegenerated: z
    .object({ total: z.number(), samples: z.array(z.object({ ts_utc: z.string(), reason: z.string() })) })
    .optional(),
});
export type CopyCheckpoint = z.infer<typeof COPY_CHECKPOINT>;

export function copyMethodOf(options: Record<string, unknown>): CopyMethod {
  return options.method === 'regenerate' ? 'regenerate' : 'copy';
}

/**
 * Why a run must not continue from the checkpoint it was given (a failed attempt's), or null to
 * continue. The runner calls execute again within one run after each step, so the run's own
 * checkpoint (completedByRun = this run) is never a reason.
 */
export function restartReason(
  checkpoint: CopyCheckpoint,
  params: { method: CopyMethod; runId: number },
): string | null {
  if (!checkpoint.cursor) return null;
  const before = checkpoint.method ?? 'copy';
  if (before !== params.method) return `the method changed from ${before} to ${params.method}`;
  if (checkpoint.completedByRun !== undefined && checkpoint.completedByRun !== params.runId) {
    return `attempt run #${checkpoint.completedByRun} went through the whole history and failed its verification`;
  }
  return null;
}
