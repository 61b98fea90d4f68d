import type { Check } from '@/lib/runbook/engine/verification';
import { StatusBadge } from './status-badge';

type CheckLike = Pick<Check, 'name' | 'passed' | 'detail' | 'kind'>;

export function ChecksTable({ checks, label }: { checks: CheckLike[]; label: string }) {
  if (checks.length === 0) return <p className="text-sm text-slate-600">None.</p>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" aria-label={label}>
        <tbody>
          {checks.map((check) => (
            <tr key={check.name} className="border-t border-slate-100 align-top first:border-t-0">
              <td className="w-20 py-1.5 pr-3">
                {check.kind === 'finding' ? (
                  <StatusBadge tone="neutral">FINDING</StatusBadge>
                ) : check.passed ? (
                  <StatusBadge tone="good">PASS</StatusBadge>
                ) : (
                  <StatusBadge tone="bad">FAIL</StatusBadge>
                )}
              </td>
              <td className="py-1.5 pr-3 font-medium">{check.name}</td>
              <td className="py-1.5 text-slate-700">{check.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
