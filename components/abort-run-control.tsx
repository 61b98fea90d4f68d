'use client';

import { useState } from 'react';
import { invalidatedBy } from '@/lib/client/mutation-invalidations';
import { ABORT_CONFIRMATION, abortRequestOf, waitingReasonOf } from '@/lib/runbook/engine/abort-rules';
import { abortPhaseRunAction } from '@/lib/server-actions/abort-run';
import { ActionMessage } from './action-message';
import { ConfirmWordInput } from './confirm-word-input';
import { Button, submitted, TextField } from './form-fields';
import { useConsoleMutation } from './use-console-mutation';

interface ActiveRun {
  id: number;
  phase: string;
  status: string;
  options: Record<string, unknown>;
  progress: Record<string, unknown>;
}

/** What aborting does to the run in its state, in the operator's words (docs/phases.md "Abort"). */
function whatAbortDoes(run: ActiveRun): string {
  const waiting = waitingReasonOf(run);
  if (waiting) return `It is waiting (${waiting}): it ends at once; nothing is in flight.`;
  switch (run.status) {
    case 'running':
      return 'The step in flight is cancelled and rolled back; the steps committed before it stay checkpointed.';
    case 'paused':
      return 'It is paused between batches: it ends at once; the committed batches stay.';
    default:
      return 'It has not started: it ends at once and nothing runs.';
  }
}

/**
 * "Abort" for the page's active run: a destructive button that opens the typed confirmation (and an
 * optional reason). After the request, a running run shows that it is stopping until its runner ends it.
 */
export function AbortRunControl({ run, phase }: { run: ActiveRun; phase: string }) {
  const [open, setOpen] = useState(false);
  const [confirm, setConfirm] = useState('');
  const [reason, setReason] = useState('');
  const {
    run: abort,
    pending,
    feedback,
  } = useConsoleMutation({
    action: abortPhaseRunAction,
    invalidates: invalidatedBy.phaseRun(phase),
    onOk: () => {
      setOpen(false);
      setConfirm('');
      setReason('');
    },
  });
  const requested = abortRequestOf(run);
  if (requested)
    return (
      <span className="text-sm text-red-800" data-testid="abort-requested">
        Aborting (asked by {requested.by}): the step in flight is being rolled back…
      </span>
    );
  return (
    <>
      {open ? (
        <form
          className="flex w-full flex-wrap items-end gap-3 rounded border border-red-200 bg-red-50 p-3"
          aria-label="Abort the run"
          onSubmit={submitted(() => abort({ runId: run.id, confirm, reason }))}
        >
          <p className="w-full text-sm text-red-900">
            Abort run #{run.id}. {whatAbortDoes(run)} Afterwards: resume (start the phase again), roll back, or abandon
            the migration run.
          </p>
          <TextField
            label="Reason (optional)"
            value={reason}
            onChange={setReason}
            aria-label="Reason for aborting"
            width="w-72 max-w-full"
          />
          <ConfirmWordInput word={ABORT_CONFIRMATION} value={confirm} onChange={setConfirm} />
          <Button tone="destructive" type="submit" disabled={pending || confirm !== ABORT_CONFIRMATION}>
            Abort run #{run.id}
          </Button>
          <Button tone="secondary" type="button" disabled={pending} onClick={() => setOpen(false)}>
            Keep it running
          </Button>
        </form>
      ) : (
        <Button tone="destructive" type="button" onClick={() => setOpen(true)}>
          Abort
        </Button>
      )}
      <ActionMessage message={feedback} />
    </>
  );
}
