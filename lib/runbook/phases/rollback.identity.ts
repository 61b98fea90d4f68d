/**
 * The rollback's identity (docs/phases.md "Rollback"): typed ROLLBACK to start, an explicit choice
 * for the DXY rows in data_bars, and an approver when that choice is to delete them.
 */
import { definePhaseIdentity } from '../phase-registry';

export const rollbackIdentity = definePhaseIdentity({
  id: 'rollback',
  number: null,
  day: null,
  estimateMinutes: 30,
  title: 'Rollback',
  intent: 'Switch workers back, restore functions and registry, restore soft-deleted rows, back-fill the gap.',
  options: [
    {
      name: 'data',
      label: 'What happens to the DXY rows in data_bars?',
      choices: [
        { value: 'keep', label: 'keep them — harmless, the legacy path ignores them; no approval needed' },
        { value: 'delete', label: 'delete the rows the migration added — a full revert; needs an approver' },
      ],
      requiredMessage: 'Choose keep or delete for the DXY rows in data_bars',
    },
  ],
  confirmation: 'ROLLBACK',
  approval: {
    kind: 'rollback-delete',
    word: 'DELETE',
    when: { option: 'data', value: 'delete' },
    summary: 'Rollback deleting the DXY rows the migration added to data_bars',
  },
});
