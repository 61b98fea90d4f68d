import Link from 'next/link';
import type { ConsoleStatusJson } from '@/lib/client/wire-types';
import { formatDuration, formatMinutes, formatUtc } from '@/lib/format';
import { RunStateBadge } from './run-state-badge';

type Runbook = ConsoleStatusJson['runbook'];

/** The plan's execution checklist, live: state, who ran each phase, actual time beside the estimate. */
export function PlanChecklist({ runbook }: { runbook: Runbook }) {
  return (
    <section className="rounded-lg border border-slate-200 bg-white" aria-label="Plan">
      <div className="flex flex-wrap items-baseline justify-between gap-2 border-b border-slate-200 px-4 py-2">
        <h2 className="font-semibold">Plan: nine phases and rollback</h2>
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
      </div>
      <div className="overflow-x-auto">
        <table className="w-full text-sm">
          <thead className="text-left text-xs uppercase text-slate-500">
            <tr>
              <th className="px-4 py-2">Phase</th>
              <th className="px-4 py-2">Day</th>
              <th className="px-4 py-2">State</th>
              <th className="px-4 py-2">Run by</th>
              <th className="px-4 py-2">Finished (wall clock)</th>
              <th className="px-4 py-2 text-right">Actual</th>
              <th className="px-4 py-2 text-right">Plan estimate</th>
            </tr>
          </thead>
          <tbody>
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
                  <td className="px-4 py-1.5 font-mono text-xs whitespace-nowrap">
                    {formatUtc(step.latest?.finishedAt)}
                  </td>
                  <td className="px-4 py-1.5 text-right font-mono">{formatDuration(step.latest?.durationMs)}</td>
                  <td className="px-4 py-1.5 text-right font-mono">{formatMinutes(step.estimateMinutes)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
