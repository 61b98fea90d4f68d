import type { ActionResult } from '@/lib/auth/action';

export interface UserFeedbackMessage {
  ok: boolean;
  text: string;
}

/** An action's answer in the server's words: its refusal, the fields it found invalid, or its failure. */
export function describeUserResult(result: ActionResult<unknown>, okText: string): UserFeedbackMessage {
  if (result.status === 'ok') return { ok: true, text: okText };
  if (result.status === 'refused') return { ok: false, text: result.reason };
  if (result.status === 'invalid') return { ok: false, text: Object.values(result.fieldErrors).flat().join('; ') };
  return { ok: false, text: result.message };
}

export function UserFeedback({ message, testId }: { message: UserFeedbackMessage | null; testId?: string }) {
  if (!message) return null;
  return (
    <p
      role="status"
      data-testid={testId}
      className={`mt-2 rounded px-3 py-2 text-sm ${message.ok ? 'bg-emerald-50 text-emerald-900' : 'bg-red-50 text-red-800'}`}
    >
      {message.text}
    </p>
  );
}

/** The role checkboxes of the add form and of each user's row. */
export function UserRoleCheckboxes({
  roles,
  selected,
  onChange,
  idPrefix,
}: {
  roles: readonly string[];
  selected: readonly string[];
  onChange: (next: string[]) => void;
  idPrefix: string;
}) {
  return (
    <fieldset className="flex flex-wrap gap-3 text-sm">
      <legend className="sr-only">Roles</legend>
      {roles.map((role) => (
        <label key={role} className="inline-flex items-center gap-1" htmlFor={`${idPrefix}-${role}`}>
          <input
            id={`${idPrefix}-${role}`}
            type="checkbox"
            checked={selected.includes(role)}
            onChange={(event) =>
              onChange(event.target.checked ? [...selected, role] : selected.filter((r) => r !== role))
            }
          />
          {role}
        </label>
      ))}
    </fieldset>
  );
}
