'use client';

import { useState } from 'react';
import type { PhaseLiveJson } from '@/lib/client/wire-types';
import { startPhaseRunAction } from '@/lib/server-actions/runbook';
import { ActionMessage } from './action-message';
import { AttemptsTable } from './attempts-table';
import { ConfirmWordInput } from './confirm-word-input';
import { Button, submitted } from './form-fields';
import { RunDetails } from './run-details';
import { usePhaseLive } from './use-phase-live';

const DATA_CHOICES = [
  { value: 'keep', label: 'Keep', text: 'them — harmless, the legacy path ignores them; no approval needed.' },
  {
    value: 'delete',
    label: 'Delete',
    text: 'the rows the migration added — a full revert; an approver other than you must approve it first.',
  },
] as const;

/** The rollback form: an explicit data choice and a typed confirmation; `delete` waits for an approver. */
export function RollbackView({
  canOperate,
  available,
  initial,
}: {
  canOperate: boolean;
  available: boolean;
  initial: PhaseLiveJson;
}) {
  const { live, pending, message, act } = usePhaseLive('rollback', initial);
  const [data, setData] = useState<'keep' | 'delete' | null>(null);
  const [confirm, setConfirm] = useState('');
  const active = live.activeRun;
  return (
    <div className="space-y-5">
      <section className="rounded-lg border border-red-200 bg-white p-4" aria-label="Start rollback">
        {canOperate ? (
          <form
            className="space-y-3"
            onSubmit={submitted(() => act(() => startPhaseRunAction({ phase: 'rollback', data, confirm })))}
          >
            <fieldset>
              <legend className="text-sm font-semibold">What happens to the DXY rows in data_bars?</legend>
              {DATA_CHOICES.map((choice) => (
                <label key={choice.value} className="mt-1 flex items-start gap-2 text-sm">
                  <input
                    type="radio"
                    name="data"
                    value={choice.value}
                    checked={data === choice.value}
                    onChange={() => setData(choice.value)}
                  />
                  <span>
                    <strong>{choice.label}</strong> {choice.text}
                  </span>
                </label>
              ))}
            </fieldset>
            <ConfirmWordInput word="ROLLBACK" value={confirm} onChange={setConfirm} width="block w-48" />
            <Button
              tone="destructive"
              type="submit"
              disabled={!available || Boolean(active) || pending || !data || confirm !== 'ROLLBACK'}
            >
              Start rollback
            </Button>
            {!available ? (
              <p className="text-sm text-slate-600">Rollback becomes available once phase 3 has succeeded.</p>
            ) : null}
            {active ? (
              <p className="text-sm text-amber-800">
                Run #{active.id} ({active.phase}) is {active.status}.
              </p>
            ) : null}
          </form>
        ) : (
          <p className="text-sm text-slate-600">Only operators can start a rollback.</p>
        )}
        <ActionMessage message={message} />
      </section>
      <RunDetails live={live} />
      <AttemptsTable runs={live.runs} />
    </div>
  );
}
