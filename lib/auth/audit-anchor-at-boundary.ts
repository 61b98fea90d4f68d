/**
 * The runbook engine's hook (lib/runbook/engine/execute-run.ts): at every phase boundary — a run starting,
 * finishing (succeeded or failed) or ending aborted; the rollback is a phase run too — the audit
 * chain's head is anchored outside the database (./audit-anchors.ts). A failed anchor write (a full
 * disk) never fails the migration: it is said in the run's events, where the operator looks.
 */
import type { Database } from '../db/connection';
import { insertPhaseRunEvent } from '../db/tables/phase-run-events';
import { writeAuditAnchor } from './audit-anchors';

export async function anchorAuditHeadAtBoundary(
  database: Database,
  params: { phaseRunId: number; reason: string },
): Promise<void> {
  try {
    await writeAuditAnchor(database.sql, { reason: params.reason });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await insertPhaseRunEvent(database.sql, {
      phaseRunId: params.phaseRunId,
      level: 'warn',
      message: `The audit chain's head was not anchored (${message}); npm run audit -- verify checks it without this anchor`,
    }).catch(() => {});
  }
}
