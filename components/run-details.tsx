import type { PhaseLiveJson } from '@/lib/client/wire-types';
import { ChecksTable } from './checks-table';
import { usePhaseCatalog } from './phase-catalog';
import { ProgressBar } from './progress-bar';
import { RunEvents } from './run-events';
import { RunStateBadge } from './run-state-badge';

/** The latest run of a phase: state, progress, error, verification evidence and log. */
export function RunDetails({ live }: { live: PhaseLiveJson }) {
  const phases = usePhaseCatalog();
  const latest = live.latest;
  if (!latest) return null;
  return (
    <section
      className="rounded-lg border border-slate-200 bg-white p-4"
      aria-label="Latest run"
      data-testid="latest-run"
    >
      <div className="flex flex-wrap items-center gap-3">
        <h2 className="font-semibold" data-testid="latest-run-id" data-run-id={latest.id}>
          Latest run #{latest.id}
          {phases.actionLabel(latest.phase) ? ` (${phases.label(latest.phase)})` : ''}
        </h2>
        <span data-testid="latest-run-status">
          <RunStateBadge state={latest.status} />
        </span>
        <span className="text-sm text-slate-600">
          requested by {latest.requestedBy}, attempt {latest.attempt}
          {Object.keys(latest.options).length > 0 ? `, options ${JSON.stringify(latest.options)}` : ''}
        </span>
      </div>
      {typeof latest.progress.percent === 'number' ? <ProgressBar progress={latest.progress} /> : null}
      {/* Why a running run is not stepping now: the world (phase 7's proof) or the pacing (docs/operations.md "Pacing"). */}
      {latest.status === 'running' && typeof latest.progress.waiting === 'string' ? (
        <p className="mt-2 text-sm text-amber-800" data-testid="run-waiting">
          Waiting: {latest.progress.waiting}
        </p>
      ) : null}
      {latest.error ? (
        <pre className="mt-3 whitespace-pre-wrap rounded bg-red-50 p-3 text-sm text-red-900" data-testid="run-error">
          {latest.error}
        </pre>
      ) : null}
      {latest.verification ? (
        <div className="mt-3" data-testid="verification">
          <h3 className="text-sm font-semibold">Verification: {latest.verification.passed ? 'passed' : 'FAILED'}</h3>
          <ChecksTable checks={latest.verification.checks} label="Verification" />
        </div>
      ) : null}
      <RunEvents events={live.events} />
    </section>
  );
}
