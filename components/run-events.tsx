import type { PhaseLiveJson } from '@/lib/client/wire-types';
import { formatUtc } from '@/lib/format';
import { WorkerOutputTranscript } from './worker-output-transcript';

const LEVEL_CLASS = { info: 'text-slate-700', warn: 'text-amber-800', error: 'text-red-800' } as const;

export function RunEvents({ events }: { events: PhaseLiveJson['events'] }) {
  if (events.length === 0) return null;
  return (
    <details className="mt-3" open>
      <summary className="cursor-pointer text-sm font-semibold">Log ({events.length})</summary>
      <ol className="mt-1 max-h-64 overflow-y-auto font-mono text-xs">
        {events.map((event) => (
          <li key={event.id} className={`py-0.5 ${LEVEL_CLASS[event.level] ?? ''}`}>
            <span className="text-slate-500">{formatUtc(event.at, 'second')}</span> {event.message}
            <WorkerOutputTranscript data={event.data} />
          </li>
        ))}
      </ol>
    </details>
  );
}
