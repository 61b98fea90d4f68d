'use client';

import { useState } from 'react';
import { invalidatedBy } from '@/lib/client/mutation-invalidations';
import { requestAbandonMigrationRunAction } from '@/lib/server-actions/runbook';
import { ActionMessage } from './action-message';
import { ConfirmWordInput } from './confirm-word-input';
import { Button, submitted, TextField } from './form-fields';
import { Panel } from './panel';
import { useConsoleMutation } from './use-console-mutation';

/**
 * "Abandon migration run": for a run that changed nothing a rollback would undo (e.g. its phase 1
 * failed). The server refuses, naming what changed, otherwise; an approver confirms on the
 * approvals page.
 */
export function AbandonRunForm({ migrationRunId }: { migrationRunId: number }) {
  const [reason, setReason] = useState('');
  const [confirm, setConfirm] = useState('');
  const { run, pending, feedback } = useConsoleMutation({
    action: requestAbandonMigrationRunAction,
    invalidates: invalidatedBy.abandonRequest(),
    okText: 'Requested: an approver confirms it on the approvals page.',
  });
  return (
    <Panel label="Abandon migration run" heading={`Abandon migration run #${migrationRunId}`}>
      <p className="mt-1 max-w-3xl text-sm text-slate-700">
        Closes this migration run without a rollback, so that a fresh phase 1 can start — only when its phases changed
        nothing a rollback would need to undo (no rows copied or normalized, aggregator and registry as backed up,
        workers never deployed). Another person, an approver, confirms it on the approvals page.
      </p>
      <form className="mt-3 flex flex-wrap items-end gap-4" onSubmit={submitted(() => run({ reason, confirm }))}>
        <TextField
          label="Reason"
          value={reason}
          onChange={setReason}
          aria-label="Reason for abandoning"
          width="w-80 max-w-full"
        />
        <ConfirmWordInput word="ABANDON" value={confirm} onChange={setConfirm} />
        <Button tone="secondary" type="submit" disabled={pending || confirm !== 'ABANDON' || reason.trim().length < 3}>
          Request abandon
        </Button>
      </form>
      <ActionMessage message={feedback} />
    </Panel>
  );
}
