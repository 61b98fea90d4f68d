/** Phase 1's identity (docs/phases.md): what the plan, the pages and the CLI know of it. */
import { definePhaseIdentity } from '../phase-registry';

export const phase1Identity = definePhaseIdentity({
  id: '1',
  number: 1,
  day: 1,
  estimateMinutes: 15,
  title: 'Pre-flight + backup',
  intent: 'Connectivity, backup of the touched rows, pre-state counts.',
  // The backup it takes is what every later phase and a rollback stand on.
  opensMigrationRun: true,
});
