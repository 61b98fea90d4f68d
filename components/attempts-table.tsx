import type { PhaseLiveJson } from '@/lib/client/wire-types';
import { formatDuration, formatUtc } from '@/lib/format';
import { DataTable, TableSection } from './data-table';
import { usePhaseCatalog } from './phase-catalog';
import { RunStateBadge } from './run-state-badge';

const COLUMNS = [
  'Run',
  'State',
  'Requested by',
  'Requested',
  'Finished',
  { label: 'Duration', right: true },
  'Outcome',
];

export function AttemptsTable({ runs }: { runs: PhaseLiveJson['runs'] }) {
  const phases = usePhaseCatalog();
  return (
    <TableSection
      look="card"
      label="Attempts"
      heading={`Every attempt (${runs.length})`}
      empty={runs.length === 0 ? 'Not run yet in this migration run.' : null}
    >
      <DataTable columns={COLUMNS} inset="px-4" testId="attempts">
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
            <td className="px-4 py-1.5 font-mono text-xs whitespace-nowrap">{formatUtc(run.requestedAt, 'second')}</td>
            <td className="px-4 py-1.5 font-mono text-xs whitespace-nowrap">{formatUtc(run.finishedAt, 'second')}</td>
            <td className="px-4 py-1.5 text-right font-mono">{formatDuration(run.durationMs)}</td>
            <td className="max-w-md px-4 py-1.5 text-xs text-slate-700">
              {run.error ??
                (run.verificationPassed === null ? '' : run.verificationPassed ? 'verified' : 'verification failed')}
            </td>
          </tr>
        ))}
      </DataTable>
    </TableSection>
  );
}
