'use client';

import { useState } from 'react';
import type { PhaseLiveJson } from '@/lib/client/wire-types';
import { startPhaseRunAction } from '@/lib/server-actions/runbook';
import { ActionMessage } from './action-message';
import { AttemptsTable } from './attempts-table';
import { ConfirmWordInput } from './confirm-word-input';
import { Button, submitted } from './form-fields';
import { usePhaseCatalog } from './phase-catalog';
import { RunDetails } from './run-details';
import { usePhaseLive } from './use-phase-live';

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
  // The data choice and the typed word are the rollback phase's own (lib/runbook/phases/rollback.ts).
  const phases = usePhaseCatalog();
  const rollback = phases.find('rollback');
  const dataOption = rollback.options.find((option) => option.name === 'data');
  const word = rollback.confirmation ?? '';
  const [data, setData] = useState<string | null>(null);
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
              <legend className="text-sm font-semibold">{dataOption?.label}</legend>
              {dataOption?.choices.map((choice) => (
                <label key={choice.value} className="mt-1 flex items-start gap-2 text-sm">
                  <input
                    type="radio"
                    name="data"
                    value={choice.value}
                    checked={data === choice.value}
                    onChange={() => setData(choice.value)}
                  />
                  <span>
                    <strong>{choice.label}</strong> {choice.description}
                  </span>
                </label>
              ))}
            </fieldset>
            <ConfirmWordInput word={word} value={confirm} onChange={setConfirm} width="block w-48" />
            <Button
              tone="destructive"
              type="submit"
              disabled={!available || Boolean(active) || pending || !data || confirm !== word}
            >
              Start rollback
            </Button>
            {!available ? (
              <p className="text-sm text-slate-600">Rollback becomes available once phase 3 has succeeded.</p>
            ) : null}
            {active ? (
              <p className="text-sm text-amber-800">
                Run #{active.id} ({phases.label(active.phase)}) is {active.status}.
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
