/** Phase 6's identity (docs/phases.md). */
import { definePhaseIdentity } from '../phase-registry';

export const phase6Identity = definePhaseIdentity({
  id: '6',
  number: 6,
  day: 2,
  estimateMinutes: 20,
  title: 'Three health checks',
  intent: 'New function produces rows; aggregation continues; workers healthy.',
});
