'use client';

import { useState } from 'react';
import { queryKeys } from '@/lib/client/console-queries';
import { overrideValidationAction } from '@/lib/server-actions/validate';
import { ActionMessage } from './action-message';
import { Button, submitted, TextField } from './form-fields';
import { Panel } from './panel';
import { useConsoleMutation } from './use-console-mutation';

/** An admin's override: the next phase 1 start within 24 hours may go without a GO, for the reason given (audited). */
export function ValidateOverrideForm() {
  const [reason, setReason] = useState('');
  const { run, pending, feedback } = useConsoleMutation({
    action: overrideValidationAction,
    invalidates: [queryKeys.phase('1'), queryKeys.status],
    okText: 'Overridden: the next phase 1 start within 24 hours may go without a GO.',
    onOk: () => setReason(''),
  });
  return (
    <Panel label="Override validation" heading="Override validation (admin)">
      <p className="mt-1 max-w-3xl text-sm text-slate-700">
        Lets the next start of phase 1 in the coming 24 hours go without a GO. Say why the NO-GO items (or the missing
        validation) are accepted; the reason is audited and shown here and in the migration report.
      </p>
      <form className="mt-3 flex flex-wrap items-end gap-4" onSubmit={submitted(() => run({ reason }))}>
        <TextField
          label="Reason"
          value={reason}
          onChange={setReason}
          aria-label="Reason for the override"
          width="w-[32rem] max-w-full"
        />
        <Button tone="caution" type="submit" disabled={pending || reason.trim().length < 10}>
          Override
        </Button>
      </form>
      <ActionMessage message={feedback} />
    </Panel>
  );
}
