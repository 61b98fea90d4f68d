'use client';

import { useState } from 'react';
import type { ActionFeedback } from '@/lib/client/action-feedback';
import { invalidatedBy } from '@/lib/client/mutation-invalidations';
import { formatUtc } from '@/lib/format';
import { revokeInvitationAction } from '@/lib/server-actions/users';
import { ActionMessage } from './action-message';
import { DataTable, TableSection } from './data-table';
import { useConsoleMutation } from './use-console-mutation';

export interface PendingInvitationJson {
  id: number;
  username: string;
  roles: string[];
  createdBy: string;
  createdAt: string;
  expiresAt: string;
}

const COLUMNS = ['Username', 'Roles', 'Invited by', 'Created', 'Expires', { key: 'revoke' }];

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
    <TableSection
      look="plain"
      label="Pending invitations"
      heading={`Pending invitations (${invitations.length})`}
      empty={invitations.length === 0 ? 'No invitation is waiting to be accepted.' : null}
      after={<ActionMessage message={message} testId="invitation-message" />}
    >
      <DataTable columns={COLUMNS} inset="px-3" testId="invitation-table">
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
      </DataTable>
    </TableSection>
  );
}
