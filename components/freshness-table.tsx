import type { ConsoleStatusJson } from '@/lib/client/wire-types';
import { formatUtc } from '@/lib/format';
import type { FreshnessState } from '@/lib/monitor/freshness';
import { DataTable, TableSection } from './data-table';
import { type BadgeTone, StatusBadge } from './status-badge';

const STATE_LABELS: Record<FreshnessState, { label: string; tone: BadgeTone }> = {
  fresh: { label: 'fresh', tone: 'good' },
  lagging: { label: 'lagging', tone: 'warn' },
  stale: { label: 'STALE', tone: 'bad' },
  'market-closed': { label: 'market closed', tone: 'neutral' },
  'no-data': { label: 'no data', tone: 'neutral' },
};

const COLUMNS = ['Series', 'Table', 'Latest bar', { label: 'Behind', right: true }, 'State'];

export function FreshnessTable({ rows }: { rows: ConsoleStatusJson['freshness'] }) {
  return (
    <TableSection look="card" heading="Latest 1m bar per series">
      <DataTable columns={COLUMNS} inset="px-4">
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
      </DataTable>
    </TableSection>
  );
}
