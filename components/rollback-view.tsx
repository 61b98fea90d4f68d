'use client';

import { useState } from 'react';
import type { PhaseLiveJson } from '@/lib/client/wire-types';
import { rollbackEndsRun } from '@/lib/runbook/engine/abort-rules';
import { startPhaseRunAction } from '@/lib/server-actions/runbook';
import { AbortRunControl } from './abort-run-control';
import { AbortedBanner } from './aborted-banner';
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
  // The data choice and the typed word are the rollback phase's own (lib/runbook/phases/rollback/rollback.ts).
  const phases = usePhaseCatalog();
  const rollback = phases.find('rollback');
  const dataOption = rollback.options.find((option) => option.name === 'data');
  const word = rollback.confirmation ?? '';
  const [data, setData] = useState<string | null>(null);
  const [confirm, setConfirm] = useState('');
  const active = live.activeRun;
  // A phase 7 or 9 run that waits does not block the rollback: starting it aborts that run (docs/phases.md "Abort").
  const blocking = active && !rollbackEndsRun(active) ? active : null;
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
              disabled={!available || Boolean(blocking) || pending || !data || confirm !== word}
            >
              Start rollback
            </Button>
            {!available ? (
              <p className="text-sm text-slate-600">Rollback becomes available once phase 3 has succeeded.</p>
            ) : null}
            {active ? (
              <p className="text-sm text-amber-800">
                Run #{active.id} ({phases.label(active.phase)}) is{' '}
                {blocking ? active.status : `waiting (${String(active.progress.waiting)})`}.
                {blocking ? '' : ' Starting the rollback aborts it first; the abort is recorded with the rollback.'}
              </p>
            ) : null}
          </form>
        ) : (
          <p className="text-sm text-slate-600">Only operators can start a rollback.</p>
        )}
        <ActionMessage message={message} />
        {canOperate && active?.phase === 'rollback' ? (
          <div className="mt-3 flex flex-wrap items-center gap-3">
            <AbortRunControl run={active} phase="rollback" />
          </div>
        ) : null}
      </section>
      {live.latest ? <AbortedBanner run={live.latest} /> : null}
      <RunDetails live={live} />
      <AttemptsTable runs={live.runs} />
    </div>
  );
}
