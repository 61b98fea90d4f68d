/**
 * The plan in order (docs/phases.md): every phase's identity, with phase 2's fix after phase 2 and
 * phase 8's window in its place. Pure data — what pages, client components and the CLI import;
 * the executors are listed in index.ts, in the same order.
 */
import { createPhaseRegistry, phaseUsageLines as usageLinesOf } from '../phase-registry';
import { phase1Identity } from './phase-1-preflight.identity';
import { phase2FixIdentity } from './phase-2-fix.identity';
import { phase2Identity } from './phase-2-schema-validation.identity';
import { phase3Identity } from './phase-3-create-function.identity';
import { phase4Identity } from './phase-4-copy.identity';
import { phase5Identity } from './phase-5-switch.identity';
import { phase6Identity } from './phase-6-health-checks.identity';
import { phase7Identity } from './phase-7-deploy.identity';
import { phase8Identity } from './phase-8-monitor.identity';
import { phase9Identity } from './phase-9-soft-delete.identity';
import { rollbackIdentity } from './rollback.identity';

export const PHASE_CATALOG = createPhaseRegistry([
  phase1Identity,
  phase2Identity,
  phase2FixIdentity,
  phase3Identity,
  phase4Identity,
  phase5Identity,
  phase6Identity,
  phase7Identity,
  phase8Identity,
  phase9Identity,
  rollbackIdentity,
]);

/** The CLI's usage lines for starting and previewing phases. */
export function phaseUsageLines(): string[] {
  return usageLinesOf(PHASE_CATALOG);
}
