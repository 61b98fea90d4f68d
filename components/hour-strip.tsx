import { hourLabel } from '@/lib/monitor/chart-series';
import type { MonitorStateJson } from './monitor-live';

const CELL: Record<string, string> = {
  PASS: 'bg-emerald-500 text-white',
  WARN: 'bg-amber-400 text-slate-900',
  FAIL: 'bg-red-600 text-white',
  due: 'bg-slate-300 text-slate-700 animate-pulse',
  upcoming: 'bg-slate-100 text-slate-400',
};

/** 24 cells, one per hour of the window: the five-second answer to "is it healthy?". */
export function HourStrip({ slots }: { slots: MonitorStateJson['slots'] }) {
  return (
    <ol className="grid grid-cols-12 gap-1 md:grid-cols-24" aria-label="Hours of the window" data-testid="hour-strip">
      {slots.map((slot) => (
        <li
          key={slot.index}
          title={`${hourLabel(slot.hourStart)} UTC: ${slot.state}${slot.late ? ' (taken late)' : ''}${slot.waivedBy ? ` — waived by ${slot.waivedBy}` : ''}`}
          className={`rounded px-1 py-2 text-center text-[10px] font-semibold ${CELL[slot.state] ?? ''} ${slot.waivedBy ? 'ring-2 ring-sky-500' : ''}`}
          data-state={slot.state}
        >
          {slot.hourStart.slice(11, 13)}h{slot.late ? '*' : ''}
        </li>
      ))}
    </ol>
  );
}
