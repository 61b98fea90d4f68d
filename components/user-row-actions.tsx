'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { ROLES } from '@/lib/auth/roles';
import { changeUserRolesAction, disableUserAction, enableUserAction } from '@/lib/server-actions/users';
import { describeUserResult, UserFeedback, type UserFeedbackMessage, UserRoleCheckboxes } from './user-feedback';

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
  const router = useRouter();
  const [selected, setSelected] = useState<string[]>(roles);
  const [confirming, setConfirming] = useState(false);
  const [message, setMessage] = useState<UserFeedbackMessage | null>(null);
  const [pending, startTransition] = useTransition();
  const changed = [...selected].sort().join(',') !== [...roles].sort().join(',');

  const run = (work: () => Promise<UserFeedbackMessage>) =>
    startTransition(async () => {
      setMessage(await work());
      setConfirming(false);
      router.refresh();
    });

  return (
    <div className="space-y-2" data-testid={`user-actions-${username}`}>
      <div className="flex flex-wrap items-center gap-2">
        <UserRoleCheckboxes roles={ROLES} selected={selected} onChange={setSelected} idPrefix={`role-${username}`} />
        <button
          type="button"
          disabled={pending || !changed || selected.length === 0}
          onClick={() =>
            run(async () =>
              describeUserResult(
                await changeUserRolesAction({ username, roles: selected }),
                `Roles of ${username} saved.`,
              ),
            )
          }
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
            onClick={() =>
              run(async () => describeUserResult(await enableUserAction({ username }), `${username} enabled.`))
            }
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
              onClick={() =>
                run(async () =>
                  describeUserResult(await disableUserAction({ username }), `${username} disabled and signed out.`),
                )
              }
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
      <UserFeedback message={message} testId={`user-message-${username}`} />
    </div>
  );
}
