/** Phase 5's identity (docs/phases.md). */
import { definePhaseIdentity } from '../phase-registry';

export const phase5Identity = definePhaseIdentity({
  id: '5',
  number: 5,
  day: 2,
  estimateMinutes: 30,
  title: 'Update tick-factory, aggregator, registry',
  intent: 'New RPC in tick-factory, aggregator reads data_bars only, registry metadata.',
});
