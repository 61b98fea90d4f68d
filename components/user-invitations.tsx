'use client';

import { useState } from 'react';
import type { ActionFeedback } from '@/lib/client/action-feedback';
import { invalidatedBy } from '@/lib/client/mutation-invalidations';
import { formatUtc } from '@/lib/format';
import { revokeInvitationAction } from '@/lib/server-actions/users';
import { ActionMessage } from './action-message';
import { useConsoleMutation } from './use-console-mutation';

export interface PendingInvitationJson {
  id: number;
  username: string;
  roles: string[];
  createdBy: string;
  createdAt: string;
  expiresAt: string;
}

/** Invitations nobody has accepted yet; revoking one makes its link useless at once. */
export function UserInvitations({ invitations }: { invitations: PendingInvitationJson[] }) {
  // The confirmation names whose invitation it was, from the action's answer: the row itself is gone.
  const [revoked, setRevoked] = useState<string | null>(null);
  const { run, pending, feedback } = useConsoleMutation({
    action: revokeInvitationAction,
    invalidates: invalidatedBy.users(),
    onOk: (invitation) => setRevoked(invitation.username),
  });
  // The helper says nothing after an `ok` without okText, so a refusal or failure shows and otherwise the confirmation.
  const message: ActionFeedback | null =
    feedback ?? (revoked ? { tone: 'ok', text: `Invitation for ${revoked} revoked.` } : null);
  return (
    <section className="space-y-2" aria-label="Pending invitations">
      <h2 className="font-semibold">Pending invitations ({invitations.length})</h2>
      {invitations.length === 0 ? (
        <p className="text-sm text-slate-600">No invitation is waiting to be accepted.</p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="w-full text-sm" data-testid="invitation-table">
            <thead className="text-left text-xs uppercase text-slate-500">
              <tr>
                <th className="px-3 py-2">Username</th>
                <th className="px-3 py-2">Roles</th>
                <th className="px-3 py-2">Invited by</th>
                <th className="px-3 py-2">Created</th>
                <th className="px-3 py-2">Expires</th>
                <th className="px-3 py-2" />
              </tr>
            </thead>
            <tbody>
              {invitations.map((invitation) => (
                <tr key={invitation.id} className="border-t border-slate-100">
                  <td className="px-3 py-2 font-medium">{invitation.username}</td>
                  <td className="px-3 py-2">{invitation.roles.join(', ')}</td>
                  <td className="px-3 py-2">{invitation.createdBy}</td>
                  <td className="whitespace-nowrap px-3 py-2 font-mono text-xs">{formatUtc(invitation.createdAt)}</td>
                  <td className="whitespace-nowrap px-3 py-2 font-mono text-xs">{formatUtc(invitation.expiresAt)}</td>
                  <td className="px-3 py-2">
                    <button
                      type="button"
                      disabled={pending}
                      onClick={() => run({ invitationId: invitation.id })}
                      className="rounded border border-slate-400 px-2 py-0.5 text-xs font-medium hover:bg-slate-50 disabled:opacity-40"
                    >
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {message ? (
        <div data-testid="invitation-message">
          <ActionMessage message={message} />
        </div>
      ) : null}
    </section>
  );
}
