import type { AuditEventRow } from '@/lib/auth/list-audit-events';
import { formatUtc } from '@/lib/format';
import { type BadgeTone, StatusBadge } from './status-badge';

const OUTCOME_TONES: Record<string, BadgeTone> = { ok: 'good', refused: 'bad', invalid: 'warn', failed: 'bad' };

function summarize(value: unknown): string {
  const text = JSON.stringify(value);
  return !text || text === '{}' ? '' : text.length > 240 ? `${text.slice(0, 240)}…` : text;
}

export function AuditTable({ events }: { events: AuditEventRow[] }) {
  if (events.length === 0) return <p className="text-sm text-slate-600">No events match these filters.</p>;
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="w-full text-sm" data-testid="audit-table">
        <thead className="text-left text-xs uppercase text-slate-500">
          <tr>
            <th className="px-3 py-2">#</th>
            <th className="px-3 py-2">When (wall clock)</th>
            <th className="px-3 py-2">User</th>
            <th className="px-3 py-2">Action</th>
            <th className="px-3 py-2">Outcome</th>
            <th className="px-3 py-2">Inputs</th>
            <th className="px-3 py-2">Detail</th>
          </tr>
        </thead>
        <tbody>
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
        </tbody>
      </table>
    </div>
  );
}
