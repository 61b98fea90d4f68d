/** Phase 4's identity (docs/phases.md): pausable, and copied or regenerated as the operator chooses. */
import { definePhaseIdentity } from '../phase-registry';

export const phase4Identity = definePhaseIdentity({
  id: '4',
  number: 4,
  day: 1,
  estimateMinutes: 20,
  title: 'Copy historical data',
  intent: 'Copy DXY 1m from derived_data_bars to data_bars; verify by key and value.',
  pausable: true,
  options: [
    {
      name: 'method',
      label: 'Method',
      choices: [
        { value: 'copy', label: 'copy legacy rows' },
        { value: 'regenerate', label: 'regenerate with calc_dxy_range_1m' },
      ],
      default: 'copy',
    },
  ],
});
