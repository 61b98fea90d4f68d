/** Phase 2's identity (docs/phases.md): the read-only report; its fix is an action of it. */
import { definePhaseIdentity } from '../phase-registry';

export const phase2Identity = definePhaseIdentity({
  id: '2',
  number: 2,
  day: 1,
  estimateMinutes: 10,
  title: 'Schema validation',
  intent: 'Unique key, source CHECK, raw/created_at/updated_at, registry metadata; fix if needed.',
});
