import Link from 'next/link';
import { PHASE_CATALOG } from '@/lib/runbook/phases';

const CURRENT = 'bg-slate-900 text-white';
const OTHER = 'bg-white text-slate-700 ring-1 ring-slate-200 hover:bg-slate-100';
/** The way out is set apart from the plan's steps. */
const WAY_OUT = 'bg-white text-red-800 ring-1 ring-red-200 hover:bg-red-50';

/** Every step of the plan as a tab, from the phase registry: the numbered phases, then the rollback. */
export function PhaseTabs({ current }: { current: string }) {
  return (
    <nav aria-label="Phases" className="flex flex-wrap gap-1 text-sm">
      {PHASE_CATALOG.steps.map((step) => (
        <Link
          key={step.id}
          href={step.route}
          aria-current={step.id === current ? 'page' : undefined}
          className={`rounded px-3 py-1 ${step.id === current ? CURRENT : step.number === null ? WAY_OUT : OTHER}`}
        >
          {PHASE_CATALOG.label(step.id)}
        </Link>
      ))}
    </nav>
  );
}
