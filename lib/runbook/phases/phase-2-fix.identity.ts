/** Phase 2's "Apply fix": an action of phase 2 (its runs count as phase 2's), not a step of the plan. */
import { definePhaseIdentity } from '../phase-registry';

export const phase2FixIdentity = definePhaseIdentity({
  id: '2-fix',
  number: 2,
  day: 1,
  estimateMinutes: null,
  title: 'Apply schema fix',
  intent: 'The DDL the schema report lacks, one statement at a time.',
  actionOf: { phase: '2', label: 'Apply fix', previewHeading: 'the DDL it would run now' },
});
