'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { formatUtc } from '@/lib/format';
import { revokeInvitationAction } from '@/lib/server-actions/users';
import { describeUserResult, UserFeedback, type UserFeedbackMessage } from './user-feedback';

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
  const router = useRouter();
  const [message, setMessage] = useState<UserFeedbackMessage | null>(null);
  const [pending, startTransition] = useTransition();
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
                      onClick={() =>
                        startTransition(async () => {
                          const result = await revokeInvitationAction({ invitationId: invitation.id });
                          setMessage(describeUserResult(result, `Invitation for ${invitation.username} revoked.`));
                          router.refresh();
                        })
                      }
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
      <UserFeedback message={message} testId="invitation-message" />
    </section>
  );
}
