import { AUDIT_OUTCOMES, type AuditFilter } from '@/lib/auth/list-audit-events';

/** A plain GET form: filters live in the URL, so a filtered view can be shared and reloaded. */
export function AuditFilters({
  filter,
  facets,
}: {
  filter: AuditFilter;
  facets: { users: string[]; actions: string[] };
}) {
  const select = 'rounded border border-slate-300 bg-white px-2 py-1 text-sm';
  return (
    <form method="get" className="flex flex-wrap items-end gap-3" aria-label="Audit filters">
      <label className="text-sm">
        <span className="block text-xs text-slate-500">User</span>
        <select name="user" defaultValue={filter.user ?? ''} className={select}>
          <option value="">all users</option>
          {facets.users.map((user) => (
            <option key={user} value={user}>
              {user}
            </option>
          ))}
        </select>
      </label>
      <label className="text-sm">
        <span className="block text-xs text-slate-500">Action</span>
        <select name="action" defaultValue={filter.action ?? ''} className={select}>
          <option value="">all actions</option>
          {facets.actions.map((action) => (
            <option key={action} value={action}>
              {action}
            </option>
          ))}
        </select>
      </label>
      <label className="text-sm">
        <span className="block text-xs text-slate-500">Outcome</span>
        <select name="outcome" defaultValue={filter.outcome ?? ''} className={select}>
          <option value="">all outcomes</option>
          {AUDIT_OUTCOMES.map((outcome) => (
            <option key={outcome} value={outcome}>
              {outcome}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="rounded bg-slate-900 px-3 py-1 text-sm text-white">
        Filter
      </button>
      <a href="/audit" className="text-sm text-slate-600 underline">
        Clear
      </a>
    </form>
  );
}
