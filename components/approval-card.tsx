'use client';

import { useState } from 'react';
import { describeAccountOrigin } from '@/lib/auth/account-origin';
import type { ActionResult } from '@/lib/auth/action';
import { invalidatedBy } from '@/lib/client/mutation-invalidations';
import type { ApprovalJson } from '@/lib/client/wire-types';
import { formatUtc } from '@/lib/format';
import { approveRequestAction, rejectRequestAction } from '@/lib/server-actions/runbook';
import { ActionMessage } from './action-message';
import { ConfirmWordInput } from './confirm-word-input';
import { Button, TextField } from './form-fields';
import { useConsoleMutation } from './use-console-mutation';

/** One pending request: approve with the typed word, or reject with a reason. */
export function ApprovalCard({
  approval,
  word,
  canDecide,
  isRequester,
  expiredAfterMinutes = null,
}: {
  approval: ApprovalJson;
  word: string;
  canDecide: boolean;
  isRequester: boolean;
  /** Set when the request is older than CUTOVER_APPROVAL_TTL_MINUTES (that many): it can only be rejected. */
  expiredAfterMinutes?: number | null;
}) {
  const [confirm, setConfirm] = useState('');
  // Phase 9's final proof listed differing minutes: approving waives them, only by typing their count.
  const listsDifferences = approval.kind === 'soft-delete' && approval.summary.includes('FINAL PROOF');
  const [waive, setWaive] = useState('');
  const [reason, setReason] = useState('');
  // Approve and reject share one helper: one pending state, one message.
  const {
    run: decide,
    pending,
    feedback,
  } = useConsoleMutation({
    action: (call: () => Promise<ActionResult<unknown>>) => call(),
    invalidates: invalidatedBy.approvalDecision(),
  });
  return (
    <article className="rounded-lg border border-amber-300 bg-white p-4" data-testid={`approval-${approval.id}`}>
      <h3 className="font-semibold">
        #{approval.id} {approval.summary}
      </h3>
      <p className="text-sm text-slate-600">
        Requested by <strong>{approval.requestedBy}</strong> at {formatUtc(approval.requestedAt, 'second')} (run #
        {approval.phaseRunId})
      </p>
      {/* Separation of duties: who made the requester's account, so an approver can see a second account for what it is. */}
      <p className="text-xs text-slate-500" data-testid={`approval-${approval.id}-requester-origin`}>
        Requester’s account: {describeAccountOrigin(approval.requesterOrigin)}
      </p>
      {approval.kind === 'reconcile' ? (
        <p className="text-sm">
          <a className="text-sky-700 underline" href="/reconcile">
            The Reconcile page
          </a>{' '}
          shows this run’s range, and previews the same range with its statements.
        </p>
      ) : null}
      {expiredAfterMinutes !== null ? (
        <p className="mt-2 text-sm text-amber-800" data-testid={`approval-${approval.id}-expired`}>
          Expired: requested more than {expiredAfterMinutes} minutes ago (CUTOVER_APPROVAL_TTL_MINUTES). Approving is
          refused; reject it, and the requester asks again.
        </p>
      ) : null}
      {!canDecide ? (
        <p className="mt-2 text-sm text-slate-600">Only approvers can decide.</p>
      ) : isRequester ? (
        <p className="mt-2 text-sm text-amber-800">
          You requested this: another approver must decide (two-person rule).
        </p>
      ) : (
        <div className="mt-3 flex flex-wrap items-end gap-4">
          <ConfirmWordInput word={word} value={confirm} onChange={setConfirm} />
          {listsDifferences ? (
            <TextField
              label="Differing minutes to waive (their count)"
              value={waive}
              onChange={setWaive}
              aria-label="Count of differing minutes to waive"
              inputMode="numeric"
              autoComplete="off"
              width="w-24"
              mono
            />
          ) : null}
          <Button
            tone="approve"
            type="button"
            disabled={pending || confirm !== word || (listsDifferences && waive.trim() === '')}
            onClick={() =>
              decide(() =>
                approveRequestAction({
                  approvalId: approval.id,
                  confirm,
                  ...(listsDifferences ? { waiveCount: waive.trim() } : {}),
                }),
              )
            }
          >
            Approve
          </Button>
          <TextField
            label="Reason for rejecting"
            value={reason}
            onChange={setReason}
            aria-label="Reason for rejecting"
            width="w-72"
          />
          <Button
            tone="reject"
            type="button"
            disabled={pending || reason.trim().length < 3}
            onClick={() => decide(() => rejectRequestAction({ approvalId: approval.id, reason }))}
          >
            Reject
          </Button>
        </div>
      )}
      <ActionMessage message={feedback} />
    </article>
  );
}
