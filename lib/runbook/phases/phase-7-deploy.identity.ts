/** Phase 7's identity (docs/phases.md). */
import { definePhaseIdentity } from '../phase-registry';

export const phase7Identity = definePhaseIdentity({
  id: '7',
  number: 7,
  day: 2,
  estimateMinutes: 30,
  title: 'Deploy + restart workers',
  intent: 'Ship the switched workers (dual mode) and verify by the data.',
});
