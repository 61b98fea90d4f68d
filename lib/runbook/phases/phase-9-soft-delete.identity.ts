/** Phase 9's identity (docs/phases.md): always two people — an operator requests, another approves. */
import { definePhaseIdentity } from '../phase-registry';

export const phase9Identity = definePhaseIdentity({
  id: '9',
  number: 9,
  day: 3,
  estimateMinutes: 10,
  title: 'Soft-delete legacy rows',
  intent: 'Stop the legacy writer, soft-delete legacy DXY 1m, verify zero stay zero.',
  approval: {
    kind: 'soft-delete',
    word: 'DXY',
    summary: 'Phase 9: soft-delete every legacy DXY 1m row in derived_data_bars (legacy writer switched off first)',
  },
});
