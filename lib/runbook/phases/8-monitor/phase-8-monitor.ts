/**
 * Phase 8, the 24-hour window (docs/phases.md "The 24-hour window"): a step of the plan with no
 * executor — the runner's hourly snapshots are its work, so its state and page are the monitor's.
 */
import { definePhaseIdentity } from '../../engine/phase-registry';

export const phase8Window = definePhaseIdentity({
  id: '8',
  number: 8,
  day: 2,
  estimateMinutes: 24 * 60,
  pointOfNoReturn: "None: the hourly snapshots only read (and store their verdicts in the console's schema).",
  stages: [{ id: 'hourly', title: 'an hourly snapshot for 24 hours' }],
  title: 'Monitor 24 h',
  intent: 'Hourly freshness, count, aggregation and parity checks.',
  executedBy: 'monitor',
  roles: [],
  route: '/monitor',
});
