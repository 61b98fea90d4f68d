import { AUDIT_OUTCOMES, type AuditFilter } from '@/lib/auth/list-audit-events';

/** A plain GET form: filters live in the URL, so a filtered view can be shared and reloaded. */
export function AuditFilters({
  filter,
  facets,
}: {
  filter: AuditFilter;
  facets: { users: string[]; actions: string[] };
}) {
  const selects = [
    { name: 'user', label: 'User', all: 'all users', values: facets.users },
    { name: 'action', label: 'Action', all: 'all actions', values: facets.actions },
    { name: 'outcome', label: 'Outcome', all: 'all outcomes', values: AUDIT_OUTCOMES },
  ] as const;
  return (
    <form method="get" className="flex flex-wrap items-end gap-3" aria-label="Audit filters">
      {selects.map(({ name, label, all, values }) => (
        <label key={name} className="text-sm">
          <span className="block text-xs text-slate-500">{label}</span>
          <select
            name={name}
            defaultValue={filter[name] ?? ''}
            className="rounded border border-slate-300 bg-white px-2 py-1 text-sm"
          >
            <option value="">{all}</option>
            {values.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </label>
      ))}
      <button type="submit" className="rounded bg-slate-900 px-3 py-1 text-sm text-white">
        Filter
      </button>
      <a href="/audit" className="text-sm text-slate-600 underline">
        Clear
      </a>
    </form>
  );
}
