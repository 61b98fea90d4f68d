'use client';

import { queryKeys } from '@/lib/client/console-queries';
import { validatePlanAction } from '@/lib/server-actions/validate';
import { ActionMessage } from './action-message';
import { Button } from './form-fields';
import { useConsoleMutation } from './use-console-mutation';

/** "Validate now": the dry run takes a few seconds; the page shows its stored result when it ends. */
export function ValidateNowForm({ canValidate }: { canValidate: boolean }) {
  const { run, pending, feedback } = useConsoleMutation({
    action: validatePlanAction,
    // Phase 1's gate and the overview's plan read the stored result.
    invalidates: [queryKeys.phase('1'), queryKeys.status],
  });
  return (
    <div>
      <Button tone="primary" type="button" disabled={!canValidate || pending} onClick={() => run({})}>
        {pending ? 'Validating…' : 'Validate now'}
      </Button>
      {canValidate ? null : <p className="mt-1 text-sm text-slate-600">Operators run Validate.</p>}
      <ActionMessage message={feedback} />
    </div>
  );
}
