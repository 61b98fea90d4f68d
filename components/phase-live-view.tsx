'use client';

import { useState } from 'react';
import { pausePhaseRunAction, resumePhaseRunAction, startPhaseRunAction } from '@/app/actions/runbook';
import { formatUtc } from '@/lib/format';
import { ActionMessage } from './action-message';
import { AttemptsTable } from './attempts-table';
import { RunDetails } from './run-details';
import { type PhaseLiveJson, usePhaseLive } from './use-phase-live';

export type { PhaseLiveJson };

interface Props {
  phase: string;
  number: number;
  pausable: boolean;
  canOperate: boolean;
  preconditionsPass: boolean;
  fixNeeded: boolean;
  initial: PhaseLiveJson;
}

const PRIMARY =
  'rounded bg-slate-900 px-4 py-2 font-medium text-white hover:bg-slate-700 disabled:cursor-not-allowed disabled:opacity-40';
const SECONDARY = 'rounded border border-slate-400 px-4 py-2 font-medium hover:bg-slate-100 disabled:opacity-40';

/** A phase's controls (operators only; the server refuses anyone else anyway) and its live run state. */
export function PhaseLiveView({ phase, number, pausable, canOperate, preconditionsPass, fixNeeded, initial }: Props) {
  const { live, pending, message, act } = usePhaseLive(phase, initial);
  const [method, setMethod] = useState<'copy' | 'regenerate'>('copy');
  const active = live.activeRun;
  const latest = live.latest;
  const activeHere = Boolean(active && (active.phase === phase || (phase === '2' && active.phase === '2-fix')));
  const blockedBy =
    active && !activeHere ? `Phase ${active.phase} (run #${active.id}) is ${active.status}; one run at a time.` : null;
  const runLabel =
    latest?.status === 'failed' && latest.phase === phase ? `Retry phase ${number}` : `Run phase ${number}`;

  return (
    <div className="space-y-5">
      <section className="rounded-lg border border-slate-200 bg-white p-4" aria-label="Controls">
        {canOperate ? (
          <div className="flex flex-wrap items-center gap-3">
            {phase === '4' && !activeHere ? (
              <label className="text-sm">
                <span className="mr-2 text-slate-600">Method</span>
                <select
                  value={method}
                  onChange={(event) => setMethod(event.target.value as 'copy' | 'regenerate')}
                  className="rounded border border-slate-300 px-2 py-1"
                >
                  <option value="copy">copy legacy rows</option>
                  <option value="regenerate">regenerate with calc_dxy_range_1m</option>
                </select>
              </label>
            ) : null}
            {!activeHere ? (
              <button
                type="button"
                className={PRIMARY}
                disabled={Boolean(active) || !preconditionsPass || pending}
                onClick={() => act(() => startPhaseRunAction({ phase, ...(phase === '4' ? { method } : {}) }))}
              >
                {runLabel}
              </button>
            ) : null}
            {phase === '2' && fixNeeded && !activeHere ? (
              <button
                type="button"
                className="rounded border border-amber-500 bg-amber-50 px-4 py-2 font-medium text-amber-900 hover:bg-amber-100 disabled:opacity-40"
                disabled={Boolean(active) || pending}
                onClick={() => act(() => startPhaseRunAction({ phase: '2-fix' }))}
              >
                Apply fix
              </button>
            ) : null}
            {pausable && activeHere && active?.status === 'running' ? (
              <button
                type="button"
                className={SECONDARY}
                disabled={pending || active.pauseRequested}
                onClick={() => act(() => pausePhaseRunAction({}))}
              >
                {active.pauseRequested ? 'Pausing after this batch…' : 'Pause'}
              </button>
            ) : null}
            {pausable && activeHere && active?.status === 'paused' ? (
              <button
                type="button"
                className={PRIMARY}
                disabled={pending}
                onClick={() => act(() => resumePhaseRunAction({}))}
              >
                Resume
              </button>
            ) : null}
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
      <RunDetails live={live} />
      <AttemptsTable runs={live.runs} />
    </div>
  );
}
