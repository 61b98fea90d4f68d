import type { AuditEventRow } from '@/lib/auth/list-audit-events';
import { formatUtc } from '@/lib/format';
import { DataTable, TableFrame } from './data-table';
import { type BadgeTone, StatusBadge } from './status-badge';

const OUTCOME_TONES: Record<string, BadgeTone> = { ok: 'good', refused: 'bad', invalid: 'warn', failed: 'bad' };

const COLUMNS = ['#', 'When (wall clock)', 'User', 'Action', 'Outcome', 'Inputs', 'Detail'];

function summarize(value: unknown): string {
  const text = JSON.stringify(value);
  return !text || text === '{}' ? '' : text.length > 240 ? `${text.slice(0, 240)}…` : text;
}

export function AuditTable({ events }: { events: AuditEventRow[] }) {
  return (
    <TableFrame look="plain" empty={events.length === 0 ? 'No events match these filters.' : null}>
      <DataTable columns={COLUMNS} inset="px-3" testId="audit-table">
        {events.map((event) => (
          <tr key={event.id} className="border-t border-slate-100 align-top">
            <td className="px-3 py-1.5 font-mono text-xs text-slate-500">{event.id}</td>
            <td className="whitespace-nowrap px-3 py-1.5 font-mono text-xs">{formatUtc(event.at, 'second')}</td>
            <td className="px-3 py-1.5">{event.username ?? <span className="text-slate-400">anonymous</span>}</td>
            <td className="px-3 py-1.5 font-mono text-xs">{event.action}</td>
            <td className="px-3 py-1.5">
              <StatusBadge tone={OUTCOME_TONES[event.outcome] ?? 'neutral'}>{event.outcome}</StatusBadge>
            </td>
            <td className="max-w-xs break-all px-3 py-1.5 font-mono text-xs text-slate-600">
              {summarize(event.inputs)}
            </td>
            <td className="max-w-md break-all px-3 py-1.5 font-mono text-xs text-slate-600">
              {summarize(event.detail)}
            </td>
          </tr>
        ))}
      </DataTable>
    </TableFrame>
  );
}
