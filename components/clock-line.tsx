import type { ConsoleStatusJson } from '@/lib/client/wire-types';
import { formatUtc } from '@/lib/format';

/** The clock the console decides by; a stale page says so in the banner above it (components/live-data-status.tsx). */
export function ClockLine({ status }: { status: ConsoleStatusJson }) {
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
    </p>
  );
}

/** "600× requested, 412× effective" once the clock runs slower than asked (held back to the simulated workers). */
function rehearsalSpeed(clock: ConsoleStatusJson['clock']): string {
  const effective = clock.effectiveSpeed === null ? null : Math.round(clock.effectiveSpeed);
  if (effective === null || effective >= Math.round(clock.speed * 0.98)) return `${clock.speed}× speed`;
  return `${clock.speed}× requested, ${effective}× effective`;
}
