'use client';

import { useState } from 'react';
import { ROLE_DESCRIPTIONS, ROLES } from '@/lib/auth/roles';
import { invalidatedBy } from '@/lib/client/mutation-invalidations';
import { formatUtc } from '@/lib/format';
import { addUserAction, inviteUserAction } from '@/lib/server-actions/users';
import { ActionMessage } from './action-message';
import { Button, submitted, TextField } from './form-fields';
import { Panel } from './panel';
import { useConsoleMutation } from './use-console-mutation';
import { UserRoleCheckboxes } from './user-feedback';

/** What the admin must hand over, shown once: it is stored only as a hash. */
type Secret =
  | { kind: 'password'; username: string; value: string }
  | { kind: 'link'; username: string; value: string; expiresAt: string };

type How = Secret['kind'];

/**
 * "Add a user": with a one-time password the admin passes on (the user must replace it at first
 * sign-in), or with an invitation link the person opens to choose their own password.
 */
export function UserAddForm() {
  const [username, setUsername] = useState('');
  const [roles, setRoles] = useState<string[]>(['viewer']);
  const [secret, setSecret] = useState<Secret | null>(null);
  const [copied, setCopied] = useState(false);
  /** Which of the two buttons was used last: its answer is the one shown. */
  const [lastHow, setLastHow] = useState<How | null>(null);
  const add = useConsoleMutation({
    action: addUserAction,
    invalidates: invalidatedBy.users(),
    okText: `Added ${username}.`,
    onOk: (user) => {
      setSecret({ kind: 'password', username: user.username, value: user.oneTimePassword });
      setUsername('');
    },
  });
  const invite = useConsoleMutation({
    action: inviteUserAction,
    invalidates: invalidatedBy.users(),
    okText: `Invitation for ${username} created.`,
    onOk: (invitation) => {
      setSecret({
        kind: 'link',
        username: invitation.username,
        value: invitation.linkWithToken,
        expiresAt: invitation.expiresAt,
      });
      setUsername('');
    },
  });
  const pending = add.pending || invite.pending;
  const cannotSubmit = pending || username.trim() === '' || roles.length === 0;
  const feedback = lastHow === 'password' ? add.feedback : lastHow === 'link' ? invite.feedback : null;

  const submit = (how: How) => {
    setSecret(null);
    setCopied(false);
    setLastHow(how);
    (how === 'password' ? add : invite).run({ username, roles });
  };

  return (
    <Panel label="Add a user">
      <form className="mt-3 space-y-3" onSubmit={submitted(() => submit('password'))}>
        <TextField
          block
          label="Username"
          value={username}
          onChange={setUsername}
          aria-label="New username"
          autoComplete="off"
          width="w-64 max-w-full"
          hint={
            <span className="mt-1 block text-xs text-slate-500">
              Lower-case letters, digits, dot, dash and underscore.
            </span>
          }
        />
        <div>
          <span className="block text-sm font-medium">Roles</span>
          <UserRoleCheckboxes roles={ROLES} selected={roles} onChange={setRoles} idPrefix="new-user-role" />
          <ul className="mt-1 text-xs text-slate-500">
            {ROLES.map((role) => (
              <li key={role}>
                <span className="font-medium">{role}</span>: {ROLE_DESCRIPTIONS[role]}
              </li>
            ))}
          </ul>
        </div>
        <div className="flex flex-wrap gap-2">
          <Button tone="primary" type="submit" small disabled={cannotSubmit}>
            Add with one-time password
          </Button>
          <Button tone="secondary" type="button" small onClick={() => submit('link')} disabled={cannotSubmit}>
            Create invitation link
          </Button>
        </div>
      </form>
      <ActionMessage message={feedback} testId="user-add-message" />
      {secret ? (
        <div className="mt-3 rounded border border-amber-300 bg-amber-50 p-3 text-sm" data-testid="user-secret">
          <p className="font-medium">
            {secret.kind === 'password'
              ? `One-time password for ${secret.username} — shown only now. ${secret.username} must choose their own at first sign-in.`
              : `Invitation link for ${secret.username} — shown only now; valid once, until ${formatUtc(secret.expiresAt)}.`}
          </p>
          <div className="mt-2 flex flex-wrap items-center gap-2">
            <code
              className="break-all rounded bg-white px-2 py-1 font-mono"
              data-testid={secret.kind === 'password' ? 'one-time-password' : 'invitation-link'}
            >
              {secret.value}
            </code>
            <button
              type="button"
              className="rounded border border-slate-300 px-2 py-1 hover:bg-white"
              // The clipboard exists only in a secure context (https or localhost); otherwise select and copy by hand.
              onClick={() =>
                navigator.clipboard?.writeText(secret.value).then(
                  () => setCopied(true),
                  () => setCopied(false),
                )
              }
            >
              {copied ? 'Copied' : 'Copy'}
            </button>
          </div>
          <p className="mt-2 text-xs text-slate-600">Send it over a channel only that person reads.</p>
        </div>
      ) : null}
    </Panel>
  );
}
