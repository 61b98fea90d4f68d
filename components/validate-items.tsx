import type { ValidationItem } from '@/lib/runbook/validate/verdict';
import { type BadgeTone, StatusBadge } from './status-badge';

const LABEL: Record<ValidationItem['status'], [string, BadgeTone]> = {
  go: ['GO', 'good'],
  'no-go': ['NO-GO', 'bad'],
  finding: ['FINDING', 'info'],
};

const GROUPS: { group: ValidationItem['group']; heading: string }[] = [
  { group: 'environment', heading: 'Environment' },
  { group: 'phase', heading: 'Phases: preconditions and preview' },
  { group: 'write-trial', heading: 'Write trials (each rolled back)' },
];

/** A validation's items, grouped, each with its GO / NO-GO / FINDING and the reason in words. */
export function ValidateItems({ items }: { items: readonly ValidationItem[] }) {
  return (
    <div className="space-y-4">
      {GROUPS.map(({ group, heading }) => {
        const rows = items.filter((item) => item.group === group);
        if (rows.length === 0) return null;
        return (
          <div key={group}>
            <h3 className="text-sm font-semibold text-slate-700">{heading}</h3>
            <table className="mt-1 w-full text-left text-sm" aria-label={heading}>
              <tbody>
                {rows.map((item) => {
                  const [label, tone] = LABEL[item.status];
                  return (
                    <tr
                      key={`${item.status}:${item.name}:${item.reason}`}
                      className="border-t border-slate-100 align-top"
                    >
                      <td className="w-24 py-1.5 pr-2">
                        <StatusBadge tone={tone}>{label}</StatusBadge>
                      </td>
                      <td className="w-72 py-1.5 pr-3 font-medium">{item.name}</td>
                      <td className="py-1.5 text-slate-700 break-words">{item.reason}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        );
      })}
    </div>
  );
}
