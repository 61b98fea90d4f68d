'use client';

import { invalidatedBy } from '@/lib/client/mutation-invalidations';
import type { ConsoleStatusJson } from '@/lib/client/wire-types';
import { formatUtc } from '@/lib/format';
import { setRehearsalWorkersPausedAction } from '@/lib/server-actions/rehearsal-workers';
import { ActionMessage } from './action-message';
import { Panel } from './panel';
import { StatusBadge } from './status-badge';
import { useConsoleMutation } from './use-console-mutation';

const MODE_HELP: Record<string, string> = {
  legacy: 'DXY → derived_data_bars; aggregator reads both tables',
  dual: 'DXY → both tables (24 h window); aggregator reads data_bars',
  final: 'DXY → data_bars only',
};

export function WorkersPanel({ workers, canOperate }: { workers: ConsoleStatusJson['workers']; canOperate: boolean }) {
  const { run, pending, feedback } = useConsoleMutation({
    action: setRehearsalWorkersPausedAction,
    invalidates: invalidatedBy.rehearsalWorkers(),
  });
  const toggle = () => run({ paused: !workers.paused });

  return (
    <Panel label="Workers">
      {workers.kind === 'external' ? (
        <p className="mt-2 text-sm text-slate-600">Production workers, controlled by the configured deploy commands.</p>
      ) : (
        <dl className="mt-2 space-y-1 text-sm">
          <div className="flex gap-2">
            <dt className="text-slate-500">Mode</dt>
            <dd data-testid="worker-mode">
              <StatusBadge tone="info">{workers.mode}</StatusBadge>
            </dd>
          </div>
          <dd className="text-xs text-slate-500">{MODE_HELP[workers.mode ?? ''] ?? ''}</dd>
          <div className="flex gap-2">
            <dt className="text-slate-500">Simulated workers</dt>
            <dd>
              {workers.paused ? (
                <StatusBadge tone="warn">stopped</StatusBadge>
              ) : (
                <StatusBadge tone="good">running</StatusBadge>
              )}
            </dd>
          </div>
          <div className="flex gap-2">
            <dt className="text-slate-500">Last tick</dt>
            <dd className="font-mono">{formatUtc(workers.lastTickAt, 'second')}</dd>
          </div>
          {workers.lastError ? (
            <dd className="rounded bg-red-50 p-2 text-xs text-red-800">Last error: {workers.lastError}</dd>
          ) : null}
        </dl>
      )}
      {canOperate && workers.kind === 'rehearsal' ? (
        <button
          type="button"
          onClick={toggle}
          disabled={pending}
          className="mt-3 rounded border border-slate-300 px-3 py-1 text-sm hover:bg-slate-100 disabled:opacity-60"
        >
          {workers.paused ? 'Resume simulated workers' : 'Stop simulated tick-factory'}
        </button>
      ) : null}
      <ActionMessage message={feedback} />
    </Panel>
  );
}
