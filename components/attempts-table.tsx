import type { PhaseLiveJson } from '@/lib/client/wire-types';
import { formatDuration, formatUtc } from '@/lib/format';
import { usePhaseCatalog } from './phase-catalog';
import { RunStateBadge } from './run-state-badge';

export function AttemptsTable({ runs }: { runs: PhaseLiveJson['runs'] }) {
  const phases = usePhaseCatalog();
  return (
    <section className="rounded-lg border border-slate-200 bg-white" aria-label="Attempts">
      <h2 className="border-b border-slate-200 px-4 py-2 font-semibold">Every attempt ({runs.length})</h2>
      {runs.length === 0 ? (
        <p className="px-4 py-3 text-sm text-slate-600">Not run yet in this migration run.</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-sm" data-testid="attempts">
            <thead className="text-left text-xs uppercase text-slate-500">
              <tr>
                <th className="px-4 py-2">Run</th>
                <th className="px-4 py-2">State</th>
                <th className="px-4 py-2">Requested by</th>
                <th className="px-4 py-2">Requested</th>
                <th className="px-4 py-2">Finished</th>
                <th className="px-4 py-2 text-right">Duration</th>
                <th className="px-4 py-2">Outcome</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((run) => (
                <tr key={run.id} className="border-t border-slate-100 align-top">
                  <td className="px-4 py-1.5 font-mono">
                    #{run.id}
                    {phases.actionLabel(run.phase) ? ` · ${phases.actionLabel(run.phase)}` : ''}
                  </td>
                  <td className="px-4 py-1.5">
                    <RunStateBadge state={run.status} />
                  </td>
                  <td className="px-4 py-1.5">{run.requestedBy}</td>
                  <td className="px-4 py-1.5 font-mono text-xs whitespace-nowrap">
                    {formatUtc(run.requestedAt, 'second')}
                  </td>
                  <td className="px-4 py-1.5 font-mono text-xs whitespace-nowrap">
                    {formatUtc(run.finishedAt, 'second')}
                  </td>
                  <td className="px-4 py-1.5 text-right font-mono">{formatDuration(run.durationMs)}</td>
                  <td className="max-w-md px-4 py-1.5 text-xs text-slate-700">
                    {run.error ??
                      (run.verificationPassed === null
                        ? ''
                        : run.verificationPassed
                          ? 'verified'
                          : 'verification failed')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
