import type { MonitorStateJson } from '@/lib/client/wire-types';
import { hourLabel } from '@/lib/monitor/chart-series';

const CELL: Record<string, string> = {
  PASS: 'bg-emerald-500 text-white',
  WARN: 'bg-amber-400 text-slate-900',
  FAIL: 'bg-red-600 text-white',
  closed: 'bg-slate-500 text-white',
  // Provisional: hatched and outlined in the colour of its verdict so far; the word says it too.
  provisional:
    'bg-white text-slate-800 border-2 border-dashed bg-[image:repeating-linear-gradient(45deg,transparent_0_4px,rgb(226_232_240)_4px_8px)]',
  due: 'bg-slate-300 text-slate-700 animate-pulse',
  upcoming: 'bg-slate-100 text-slate-500',
};

/** A provisional cell's border takes the colour of its verdict so far. */
const PROVISIONAL_BORDER: Record<string, string> = {
  PASS: 'border-emerald-500',
  WARN: 'border-amber-400',
  FAIL: 'border-red-600',
};

/** The verdict in words, so that the strip reads without colour (and to a screen reader). */
const WORD: Record<string, string> = {
  PASS: 'PASS',
  WARN: 'WARN',
  FAIL: 'FAIL',
  closed: 'closed',
  provisional: 'prov.',
  due: 'due',
  upcoming: '—',
};

function slotDescription(slot: MonitorStateJson['slots'][number]): string {
  const state =
    slot.state === 'upcoming'
      ? 'not yet'
      : slot.state === 'due'
        ? 'due, not taken yet'
        : slot.state === 'closed'
          ? 'market closed all hour (passed, but no evidence)'
          : slot.state === 'provisional'
            ? `provisional, ${slot.provisionalVerdict ?? '—'} so far: late data may still change it (data through ${slot.dataThrough ? hourLabel(slot.dataThrough) : '—'}; settles by ${slot.settlesBy ? hourLabel(slot.settlesBy) : '—'} UTC at the latest)`
            : slot.state;
  const closed = slot.marketOpen === false && slot.state !== 'closed' ? ' (market closed)' : '';
  return `${hourLabel(slot.hourStart)} UTC: ${state}${closed}${slot.late ? ' (taken late)' : ''}${slot.waivedBy ? `, waived by ${slot.waivedBy}` : ''}`;
}

/**
 * One cell per hour of the window (24, or more while it extends for lack of open-market hours; those
 * have a dashed border): the five-second answer to "is it healthy?". A provisional hour (late data
 * may still change it) is hatched, says "prov." and is outlined in the colour of its verdict so far. Six to a row on
 * a phone, twelve on a tablet, all 24 on a wide screen; each cell says its verdict in text.
 */
export function HourStrip({ slots }: { slots: MonitorStateJson['slots'] }) {
  return (
    <ol
      className="grid grid-cols-6 gap-1 sm:grid-cols-12 xl:grid-cols-24"
      aria-label="Hours of the window"
      data-testid="hour-strip"
    >
      {slots.map((slot) => (
        <li
          key={slot.index}
          title={slotDescription(slot)}
          aria-label={slotDescription(slot)}
          className={`rounded px-1 py-1.5 text-center leading-tight ${CELL[slot.state] ?? ''} ${slot.waivedBy ? 'ring-2 ring-sky-500 ring-offset-1' : ''} ${slot.state === 'provisional' ? (PROVISIONAL_BORDER[slot.provisionalVerdict ?? ''] ?? 'border-slate-400') : slot.extension ? 'border border-dashed border-slate-500' : ''}`}
          data-state={slot.state}
          data-provisional-verdict={slot.provisionalVerdict ?? undefined}
        >
          <span className="block text-[10px] font-semibold">
            {slot.hourStart.slice(11, 13)}h{slot.late ? '*' : ''}
          </span>
          <span className="block text-[10px] font-bold tracking-tight">
            {slot.waivedBy ? 'waived' : (WORD[slot.state] ?? slot.state)}
          </span>
        </li>
      ))}
    </ol>
  );
}
