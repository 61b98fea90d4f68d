'use client';

import { useState } from 'react';
import { ROLES } from '@/lib/auth/roles';
import { invalidatedBy } from '@/lib/client/mutation-invalidations';
import { changeUserRolesAction, disableUserAction, enableUserAction } from '@/lib/server-actions/users';
import { ActionMessage } from './action-message';
import { useConsoleMutation } from './use-console-mutation';
import { UserRoleCheckboxes } from './user-feedback';

type RowAction = 'roles' | 'enable' | 'disable';

/**
 * One user's roles (saved together) and disable/enable. Disabling asks once more: it signs the
 * person out everywhere and revokes their API tokens.
 */
export function UserRowActions({
  username,
  roles,
  disabled,
}: {
  username: string;
  roles: string[];
  disabled: boolean;
}) {
  const [selected, setSelected] = useState<string[]>(roles);
  const [confirming, setConfirming] = useState(false);
  /** The action used last: its answer is the one shown under the row. */
  const [last, setLast] = useState<RowAction | null>(null);
  const changed = [...selected].sort().join(',') !== [...roles].sort().join(',');
  const mutations = {
    roles: useConsoleMutation({
      action: changeUserRolesAction,
      invalidates: invalidatedBy.users(),
      okText: `Roles of ${username} saved.`,
    }),
    enable: useConsoleMutation({
      action: enableUserAction,
      invalidates: invalidatedBy.users(),
      okText: `${username} enabled.`,
    }),
    disable: useConsoleMutation({
      action: disableUserAction,
      invalidates: invalidatedBy.users(),
      okText: `${username} disabled and signed out.`,
      onOk: () => setConfirming(false),
    }),
  };
  const pending = mutations.roles.pending || mutations.enable.pending || mutations.disable.pending;
  const feedback = last ? mutations[last].feedback : null;
  const run = (action: RowAction, input: unknown) => {
    setLast(action);
    mutations[action].run(input);
  };

  return (
    <div className="space-y-2" data-testid={`user-actions-${username}`}>
      <div className="flex flex-wrap items-center gap-2">
        <UserRoleCheckboxes roles={ROLES} selected={selected} onChange={setSelected} idPrefix={`role-${username}`} />
        <button
          type="button"
          disabled={pending || !changed || selected.length === 0}
          onClick={() => run('roles', { username, roles: selected })}
          className="rounded border border-slate-400 px-2 py-0.5 text-xs font-medium hover:bg-slate-50 disabled:opacity-40"
        >
          Save roles
        </button>
      </div>
      <div className="flex flex-wrap items-center gap-2">
        {disabled ? (
          <button
            type="button"
            disabled={pending}
            onClick={() => run('enable', { username })}
            className="rounded border border-slate-400 px-2 py-0.5 text-xs font-medium hover:bg-slate-50 disabled:opacity-40"
          >
            Enable
          </button>
        ) : confirming ? (
          <>
            <span className="text-xs text-red-800">Sign {username} out everywhere and revoke their tokens?</span>
            <button
              type="button"
              disabled={pending}
              onClick={() => run('disable', { username })}
              className="rounded bg-red-700 px-2 py-0.5 text-xs font-medium text-white hover:bg-red-600 disabled:opacity-40"
            >
              Disable {username}
            </button>
            <button type="button" onClick={() => setConfirming(false)} className="text-xs underline">
              Cancel
            </button>
          </>
        ) : (
          <button
            type="button"
            disabled={pending}
            onClick={() => setConfirming(true)}
            className="rounded border border-red-300 px-2 py-0.5 text-xs font-medium text-red-800 hover:bg-red-50 disabled:opacity-40"
          >
            Disable…
          </button>
        )}
      </div>
      <ActionMessage message={feedback} testId={`user-message-${username}`} />
    </div>
  );
}
