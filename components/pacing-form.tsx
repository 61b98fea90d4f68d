'use client';

import { useState } from 'react';
import type { PacingLimits } from '@/lib/runbook/engine/pacing/pacing-limits';
import { setPacingAction } from '@/lib/server-actions/pacing';
import { ActionMessage } from './action-message';
import { Button, INPUT_CLASS } from './form-fields';
import { useConsoleMutation } from './use-console-mutation';

type Field = keyof PacingLimits;

/** The form's fields: what each limit is, in the operator's words (docs/operations.md "Pacing"). */
const FIELDS: { name: Field; label: string; unit: string }[] = [
  { name: 'batchRows', label: 'Batch size', unit: 'rows (empty: the phase’s own)' },
  { name: 'paceMs', label: 'Pace', unit: 'ms between batch starts' },
  { name: 'maxLockWaitMs', label: 'Lock wait on the pipeline tables', unit: 'ms' },
  { name: 'maxReplicaLagS', label: 'Replica lag', unit: 's' },
  { name: 'checkpointPauseS', label: 'Hold after a requested checkpoint', unit: 's (0: none)' },
  { name: 'maxWalMbPerS', label: 'WAL rate', unit: 'MB/s' },
  { name: 'maxWorkerMs', label: 'Workers’ last run', unit: 'ms' },
];

function textOf(limits: PacingLimits): Record<Field, string> {
  return Object.fromEntries(
    FIELDS.map((f) => [f.name, limits[f.name] === null ? '' : String(limits[f.name])]),
  ) as Record<Field, string>;
}

/**
 * The live limits of the batched phases, changeable while one runs: the runner reads them before each
 * batch. Only the fields changed are sent; the server checks roles and ranges and audits the change.
 */
export function PacingForm({
  limits,
  updated,
  canOperate,
}: {
  limits: PacingLimits;
  /** Who changed them last, and when (already formatted). */
  updated: string | null;
  canOperate: boolean;
}) {
  const [values, setValues] = useState(() => textOf(limits));
  const { run, pending, feedback } = useConsoleMutation({
    action: setPacingAction,
    invalidates: [],
    okText: 'Pacing changed: it applies from the next batch.',
  });
  const submit = () => {
    const before = textOf(limits);
    const change: Record<string, number | null> = {};
    for (const f of FIELDS) {
      const text = values[f.name].trim();
      if (text === before[f.name]) continue;
      change[f.name] = text === '' && f.name === 'batchRows' ? null : Number(text);
    }
    run(change);
  };
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4" aria-label="Pacing">
      <h2 className="font-semibold">Pacing</h2>
      <p className="mt-1 max-w-4xl text-sm text-slate-600">
        Batches wait while the database is busy (lock waits, replica lag, checkpoints and WAL, the workers’ latency);
        the run’s state says why. {updated ? `Last changed ${updated}.` : 'Defaults, never changed.'}
      </p>
      <form
        className="mt-3 grid max-w-3xl grid-cols-1 gap-2 sm:grid-cols-2"
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        {FIELDS.map((f) => (
          <label key={f.name} className="text-sm">
            <span className="block text-slate-600">
              {f.label} <span className="text-slate-400">({f.unit})</span>
            </span>
            <input
              className={`${INPUT_CLASS} w-40`}
              name={f.name}
              inputMode="numeric"
              value={values[f.name]}
              disabled={!canOperate || pending}
              onChange={(event) => setValues({ ...values, [f.name]: event.target.value })}
            />
          </label>
        ))}
        {canOperate ? (
          <div className="sm:col-span-2">
            <Button tone="secondary" type="submit" disabled={pending}>
              Change pacing
            </Button>
          </div>
        ) : null}
      </form>
      <ActionMessage message={feedback} testId="pacing-message" />
    </section>
  );
}
