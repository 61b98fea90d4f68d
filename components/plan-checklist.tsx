import Link from 'next/link';
import type { ConsoleStatusJson } from '@/lib/client/wire-types';
import { formatDuration, formatMinutes, formatUtc } from '@/lib/format';
import { DataTable, TableSection } from './data-table';
import { RunStateBadge } from './run-state-badge';

const COLUMNS = [
  'Phase',
  'Day',
  'State',
  'Run by',
  'Finished (wall clock)',
  { label: 'Actual', right: true },
  { label: 'Plan estimate', right: true },
];

type Runbook = ConsoleStatusJson['runbook'];

/** The plan's execution checklist, live: state, who ran each phase, actual time beside the estimate. */
export function PlanChecklist({ runbook }: { runbook: Runbook }) {
  return (
    <TableSection
      look="card"
      label="Plan"
      heading="Plan: nine phases and rollback"
      aside={
        <p className="text-sm text-slate-600">
          {runbook.migrationRun
            ? `Migration run #${runbook.migrationRun.id} (${runbook.migrationRun.status.replace('_', ' ')}) started by ${runbook.migrationRun.startedBy}`
            : 'No migration run yet'}
          {runbook.nextStep ? (
            <>
              {' · '}
              <span className="font-medium text-slate-900" data-testid="next-step">
                Next:{' '}
                <Link className="text-sky-700 underline" href={runbook.nextStep.route}>
                  {runbook.nextStep.label}
                </Link>
              </span>
            </>
          ) : null}
        </p>
      }
    >
      <DataTable columns={COLUMNS} inset="px-4">
        {runbook.steps.map((step) => {
          const title = step.number ? `${step.number}. ${step.title}` : step.title;
          return (
            <tr key={step.id} className="border-t border-slate-100" data-testid={`plan-${step.id}`}>
              <td className="px-4 py-1.5 font-medium">
                <Link href={step.route} className="text-sky-800 hover:underline">
                  {title}
                </Link>
                <div className="text-xs font-normal text-slate-500">{step.intent}</div>
              </td>
              <td className="px-4 py-1.5">{step.day ?? '—'}</td>
              <td className="px-4 py-1.5" data-testid={`state-${step.id}`}>
                <RunStateBadge state={step.window && step.state === 'running' ? 'window-open' : step.state} />
                {step.window && runbook.window ? (
                  <span className="ml-1 text-xs text-slate-500">{runbook.window.taken}/24 hours</span>
                ) : step.runs > 1 ? (
                  <span className="ml-1 text-xs text-slate-500">{step.runs} runs</span>
                ) : null}
              </td>
              <td className="px-4 py-1.5">{step.latest?.requestedBy ?? '—'}</td>
              <td className="px-4 py-1.5 font-mono text-xs whitespace-nowrap">{formatUtc(step.latest?.finishedAt)}</td>
              <td className="px-4 py-1.5 text-right font-mono">{formatDuration(step.latest?.durationMs)}</td>
              <td className="px-4 py-1.5 text-right font-mono">{formatMinutes(step.estimateMinutes)}</td>
            </tr>
          );
        })}
      </DataTable>
    </TableSection>
  );
}
