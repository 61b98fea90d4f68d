import { formatMinutes } from '@/lib/format';
import type { ConsoleStatusJson } from './overview-live';
import { StatusBadge } from './status-badge';

export function PlanChecklist({ steps }: { steps: ConsoleStatusJson['steps'] }) {
  return (
    <section className="rounded-lg border border-slate-200 bg-white" aria-label="Plan">
      <h2 className="border-b border-slate-200 px-4 py-2 font-semibold">Plan: nine phases and rollback</h2>
      <table className="w-full text-sm">
        <thead className="text-left text-xs uppercase text-slate-500">
          <tr>
            <th className="px-4 py-2">Phase</th>
            <th className="px-4 py-2">Day</th>
            <th className="px-4 py-2">What it does</th>
            <th className="px-4 py-2 text-right">Plan estimate</th>
            <th className="px-4 py-2">State</th>
          </tr>
        </thead>
        <tbody>
          {steps.map((step) => (
            <tr key={step.id} className="border-t border-slate-100" data-testid={`plan-${step.id}`}>
              <td className="px-4 py-1.5 font-medium">{step.number ? `${step.number}. ${step.title}` : step.title}</td>
              <td className="px-4 py-1.5">{step.day ?? '—'}</td>
              <td className="px-4 py-1.5 text-slate-600">{step.intent}</td>
              <td className="px-4 py-1.5 text-right font-mono">{formatMinutes(step.estimateMinutes)}</td>
              <td className="px-4 py-1.5">
                <StatusBadge tone="neutral">not started</StatusBadge>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
