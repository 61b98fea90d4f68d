import type { ConsoleStatusJson } from '@/lib/client/wire-types';
import { formatUtc } from '@/lib/format';
import type { FreshnessState } from '@/lib/monitor/freshness';
import { type BadgeTone, StatusBadge } from './status-badge';

const STATE_LABELS: Record<FreshnessState, { label: string; tone: BadgeTone }> = {
  fresh: { label: 'fresh', tone: 'good' },
  lagging: { label: 'lagging', tone: 'warn' },
  stale: { label: 'STALE', tone: 'bad' },
  'market-closed': { label: 'market closed', tone: 'neutral' },
  'no-data': { label: 'no data', tone: 'neutral' },
};

export function FreshnessTable({ rows }: { rows: ConsoleStatusJson['freshness'] }) {
  return (
    <section className="rounded-lg border border-slate-200 bg-white">
      <h2 className="border-b border-slate-200 px-4 py-2 font-semibold">Latest 1m bar per series</h2>
      <div className="overflow-x-auto">
        <table className="w-full text-sm">
          <thead className="text-left text-xs uppercase text-slate-500">
            <tr>
              <th className="px-4 py-2">Series</th>
              <th className="px-4 py-2">Table</th>
              <th className="px-4 py-2">Latest bar</th>
              <th className="px-4 py-2 text-right">Behind</th>
              <th className="px-4 py-2">State</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const state = STATE_LABELS[row.state];
              return (
                <tr key={row.label} className="border-t border-slate-100" data-testid={`freshness-${row.label}`}>
                  <td className="px-4 py-1.5 font-medium">{row.label}</td>
                  <td className="px-4 py-1.5 font-mono text-xs text-slate-600">{row.table}</td>
                  <td className="px-4 py-1.5 font-mono whitespace-nowrap">{formatUtc(row.latest)}</td>
                  <td className="px-4 py-1.5 text-right font-mono">
                    {row.minutesBehind === null ? '—' : `${row.minutesBehind} min`}
                  </td>
                  <td className="px-4 py-1.5">
                    <StatusBadge tone={state.tone}>{state.label}</StatusBadge>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
