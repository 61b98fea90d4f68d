import Link from 'next/link';
import type { ConsoleStatusJson } from '@/lib/client/wire-types';
import { usePhaseCatalog } from './phase-catalog';
import { ProgressBar } from './progress-bar';
import { RunStateBadge } from './run-state-badge';

type ActiveRun = NonNullable<ConsoleStatusJson['runbook']['activeRun']>;

export function ActiveRunBanner({ run }: { run: ActiveRun }) {
  const phases = usePhaseCatalog();
  // A run of an action (phase 2's fix) opens its phase's page.
  const href = phases.route(run.phase);
  return (
    <section
      className="rounded-lg border border-sky-300 bg-sky-50 p-4"
      aria-label="Active run"
      data-testid="active-run"
    >
      <div className="flex flex-wrap items-center gap-3">
        <RunStateBadge state={run.status} />
        <span className="font-medium">
          {phases.label(run.phase)} — run #{run.id}, requested by {run.requestedBy}
        </span>
        {href ? (
          <Link href={href} className="text-sm text-sky-700 underline">
            open
          </Link>
        ) : null}
      </div>
      {typeof run.progress.percent === 'number' ? <ProgressBar progress={run.progress} /> : null}
    </section>
  );
}
