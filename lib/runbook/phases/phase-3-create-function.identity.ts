/** Phase 3's identity (docs/phases.md). */
import { definePhaseIdentity } from '../phase-registry';

export const phase3Identity = definePhaseIdentity({
  id: '3',
  number: 3,
  day: 1,
  estimateMinutes: 15,
  title: 'Create calc_dxy_range_1m()',
  intent: 'Create the new function and test it on a recent window.',
});
