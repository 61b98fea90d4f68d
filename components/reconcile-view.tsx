'use client';

import { useState } from 'react';
import type { PhaseLiveJson } from '@/lib/client/wire-types';
import { startPhaseRunAction } from '@/lib/server-actions/runbook';
import { AbortRunControl } from './abort-run-control';
import { ActionMessage } from './action-message';
import { AttemptsTable } from './attempts-table';
import { ConfirmWordInput } from './confirm-word-input';
import { Button, submitted } from './form-fields';
import { usePhaseCatalog } from './phase-catalog';
import { RunDetails } from './run-details';
import { usePhaseLive } from './use-phase-live';

/**
 * The request of a Reconcile over the range the page previewed (lib/runbook/phases/reconcile/reconcile.ts):
 * the requester types the confirmation word, then an approver who is not the requester approves it
 * on the Approvals page. The server refuses an invalid range or one over the size limit.
 */
export function ReconcileView({
  canOperate,
  available,
  range,
  rowsToWrite,
  maxRows,
  initial,
}: {
  canOperate: boolean;
  available: boolean;
  /** The previewed range, exactly as requested; null until a valid range is previewed. */
  range: { from: string; to: string } | null;
  rowsToWrite: number | null;
  /** CUTOVER_RECONCILE_MAX_ROWS: over it the server refuses the request, so the form does not offer it. */
  maxRows: number | null;
  initial: PhaseLiveJson;
}) {
  const { live, pending, message, act } = usePhaseLive('reconcile', initial);
  const phases = usePhaseCatalog();
  const word = phases.find('reconcile').confirmation ?? '';
  const [confirm, setConfirm] = useState('');
  const active = live.activeRun;
  return (
    <div className="space-y-5">
      <section className="rounded-lg border border-amber-200 bg-white p-4" aria-label="Request Reconcile">
        {!canOperate ? (
          <p className="text-sm text-slate-600">Only operators can request a Reconcile.</p>
        ) : range === null ? (
          <p className="text-sm text-slate-600">
            Preview a valid range first: the request is for the range you previewed.
          </p>
        ) : (
          <form
            className="space-y-3"
            onSubmit={submitted(() => act(() => startPhaseRunAction({ phase: 'reconcile', ...range, confirm })))}
          >
            <p className="text-sm">
              Request Reconcile of <span className="font-mono">{range.from}</span> –{' '}
              <span className="font-mono">{range.to}</span> ({rowsToWrite ?? 0} rows to write). An approver other than
              you approves it on the Approvals page.
            </p>
            <ConfirmWordInput word={word} value={confirm} onChange={setConfirm} width="block w-48" />
            <Button
              tone="caution"
              type="submit"
              disabled={
                !available ||
                Boolean(active) ||
                pending ||
                confirm !== word ||
                !rowsToWrite ||
                (maxRows !== null && rowsToWrite > maxRows)
              }
            >
              Request Reconcile
            </Button>
            {!available ? (
              <p className="text-sm text-slate-600">Reconcile becomes available once phase 4 has succeeded.</p>
            ) : null}
            {maxRows !== null && (rowsToWrite ?? 0) > maxRows ? (
              <p className="text-sm text-red-800">
                Over CUTOVER_RECONCILE_MAX_ROWS ({maxRows}): narrow the range and preview it again.
              </p>
            ) : null}
            {active ? (
              <p className="text-sm text-amber-800">
                Run #{active.id} ({phases.label(active.phase)}) is {active.status}; one run at a time.
              </p>
            ) : null}
          </form>
        )}
        <ActionMessage message={message} />
        {canOperate && active?.phase === 'reconcile' ? (
          <div className="mt-3 flex flex-wrap items-center gap-3">
            <AbortRunControl run={active} phase="reconcile" />
          </div>
        ) : null}
      </section>
      <RunDetails live={live} />
      <AttemptsTable runs={live.runs} />
    </div>
  );
}
