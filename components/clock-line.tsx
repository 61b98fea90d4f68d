import { formatUtc } from '@/lib/format';
import type { ConsoleStatusJson } from './overview-live';

export function ClockLine({
  status,
  updatedAt,
  stale,
}: {
  status: ConsoleStatusJson;
  updatedAt: number;
  stale: boolean;
}) {
  const kind =
    status.clock.kind === 'rehearsal'
      ? `Rehearsal time · ${rehearsalSpeed(status.clock)} · ${status.rehearsal?.variant ?? ''} schema`
      : 'Production · wall clock';
  return (
    <p className="text-sm text-slate-600">
      <span className="font-mono font-medium text-slate-900" data-testid="clock-now">
        {formatUtc(status.now, 'second')}
      </span>{' '}
      · {kind}
      {stale ? (
        <span className="ml-2 font-semibold text-red-700">
          status unavailable — showing data from {formatUtc(new Date(updatedAt).toISOString(), 'second')}
        </span>
      ) : null}
    </p>
  );
}

/** "600× requested, 412× effective" once the clock runs slower than asked (held back to the simulated workers). */
function rehearsalSpeed(clock: ConsoleStatusJson['clock']): string {
  const effective = clock.effectiveSpeed === null ? null : Math.round(clock.effectiveSpeed);
  if (effective === null || effective >= Math.round(clock.speed * 0.98)) return `${clock.speed}× speed`;
  return `${clock.speed}× requested, ${effective}× effective`;
}
