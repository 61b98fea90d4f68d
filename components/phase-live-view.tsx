'use client';

import { useState } from 'react';
import type { PhaseLiveJson } from '@/lib/client/wire-types';
import { formatUtc } from '@/lib/format';
import type { PhaseId } from '@/lib/runbook/phases';
import { pausePhaseRunAction, resumePhaseRunAction, startPhaseRunAction } from '@/lib/server-actions/runbook';
import { AbortRunControl } from './abort-run-control';
import { AbortedBanner } from './aborted-banner';
import { ActionMessage } from './action-message';
import { AttemptsTable } from './attempts-table';
import { Button, INPUT_CLASS } from './form-fields';
import { usePhaseCatalog } from './phase-catalog';
import { RunDetails } from './run-details';
import { usePhaseLive } from './use-phase-live';

interface Props {
  phase: PhaseId;
  number: number;
  pausable: boolean;
  canOperate: boolean;
  preconditionsPass: boolean;
  /** The phase's actions (phase 2's "Apply fix"); one with nothing to run now is not offered. */
  actions: { id: string; label: string; needed: boolean; blockedBy: string | null }[];
  initial: PhaseLiveJson;
}

/** A phase's controls (operators only; the server refuses anyone else anyway) and its live run state. */
export function PhaseLiveView({ phase, number, pausable, canOperate, preconditionsPass, actions, initial }: Props) {
  const phases = usePhaseCatalog();
  const { live, pending, message, act } = usePhaseLive(phase, initial);
  // The phase's options (phase 4's method), starting at their defaults; the server validates them.
  const declared = phases.find(phase).options;
  const [options, setOptions] = useState<Record<string, string>>(() =>
    Object.fromEntries(declared.flatMap((o) => (o.default === undefined ? [] : [[o.name, o.default]]))),
  );
  const active = live.activeRun;
  const latest = live.latest;
  const activeHere = Boolean(active && phases.stepOf(active.phase)?.id === phase);
  const blockedBy =
    active && !activeHere
      ? `${phases.label(active.phase)} (run #${active.id}) is ${active.status}; one run at a time.`
      : null;
  const runLabel =
    latest?.status === 'failed' && latest.phase === phase
      ? `Retry phase ${number}`
      : latest?.status === 'aborted' && latest.phase === phase && live.migration?.status === 'active'
        ? `Resume phase ${number}`
        : `Run phase ${number}`;

  return (
    <div className="space-y-5">
      <section className="rounded-lg border border-slate-200 bg-white p-4" aria-label="Controls">
        {canOperate ? (
          <div className="flex flex-wrap items-center gap-3">
            {activeHere
              ? null
              : declared.map((option) => (
                  <label key={option.name} className="text-sm">
                    <span className="mr-2 text-slate-600">{option.label}</span>
                    <select
                      value={options[option.name] ?? ''}
                      onChange={(event) => setOptions({ ...options, [option.name]: event.target.value })}
                      className={INPUT_CLASS}
                    >
                      {option.default === undefined ? <option value="">choose…</option> : null}
                      {option.choices.map((choice) => (
                        <option key={choice.value} value={choice.value}>
                          {choice.label}
                        </option>
                      ))}
                    </select>
                  </label>
                ))}
            {!activeHere ? (
              <Button
                tone="primary"
                type="button"
                disabled={Boolean(active) || !preconditionsPass || pending}
                onClick={() => act(() => startPhaseRunAction({ phase, ...options }))}
              >
                {runLabel}
              </Button>
            ) : null}
            {activeHere
              ? null
              : actions
                  .filter((action) => action.needed)
                  .map((action) => (
                    <Button
                      key={action.id}
                      tone="caution"
                      type="button"
                      disabled={Boolean(active) || pending || action.blockedBy !== null}
                      title={action.blockedBy ?? undefined}
                      onClick={() => act(() => startPhaseRunAction({ phase: action.id }))}
                    >
                      {action.label}
                    </Button>
                  ))}
            {pausable && activeHere && active?.status === 'running' ? (
              <Button
                tone="secondary"
                type="button"
                disabled={pending || active.pauseRequested}
                onClick={() => act(() => pausePhaseRunAction({}))}
              >
                {active.pauseRequested ? 'Pausing after this batch…' : 'Pause'}
              </Button>
            ) : null}
            {pausable && activeHere && active?.status === 'paused' ? (
              <Button
                tone="primary"
                type="button"
                disabled={pending}
                onClick={() => act(() => resumePhaseRunAction({}))}
              >
                Resume
              </Button>
            ) : null}
            {activeHere && active ? <AbortRunControl run={active} phase={phase} /> : null}
            {!preconditionsPass && !active ? (
              <span className="text-sm text-red-700">Preconditions not met (see above).</span>
            ) : null}
            {blockedBy ? <span className="text-sm text-amber-800">{blockedBy}</span> : null}
          </div>
        ) : (
          <p className="text-sm text-slate-600">
            Only operators can run phases; this page shows progress as it happens.
          </p>
        )}
        <ActionMessage message={message} />
      </section>
      {live.migration && live.migration.status !== 'active' && live.runs.length > 0 ? (
        <p className="rounded border border-slate-300 bg-slate-50 px-4 py-2 text-sm text-slate-700">
          The results below belong to migration run #{live.migration.id}, which is closed (
          {live.migration.status.replace('_', ' ')}
          {live.migration.closedAt ? `, ${formatUtc(live.migration.closedAt)}` : ''}). Running phase 1 opens a new
          migration run.
        </p>
      ) : null}
      {latest ? <AbortedBanner run={latest} /> : null}
      <RunDetails live={live} />
      <AttemptsTable runs={live.runs} />
    </div>
  );
}
