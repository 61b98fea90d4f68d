import type { AdminUserRow } from '@/lib/auth/user-admin-list';
import { formatUtc } from '@/lib/format';
import { DataTable, TableSection } from './data-table';
import { StatusBadge } from './status-badge';
import { UserRowActions } from './user-row-actions';

const COLUMNS = ['Username', 'Status', 'Created', 'Password', 'Signed in', 'Roles and actions'];

/** Every user: roles, status, when added, whether they still owe a password change; actions per row. */
export function UserTable({ users, currentUsername }: { users: AdminUserRow[]; currentUsername: string }) {
  return (
    <TableSection look="plain" label="Users" heading={`Users (${users.length})`}>
      <DataTable columns={COLUMNS} inset="px-3" testId="user-table">
        {users.map((user) => (
          <tr key={user.id} className="border-t border-slate-100 align-top" data-testid={`user-row-${user.username}`}>
            <td className="px-3 py-2 font-medium">
              {user.username}
              {user.username === currentUsername ? <span className="ml-1 text-xs text-slate-500">(you)</span> : null}
            </td>
            <td className="px-3 py-2">
              {user.disabledAt ? (
                <StatusBadge tone="bad">disabled {formatUtc(user.disabledAt)}</StatusBadge>
              ) : (
                <StatusBadge tone="good">active</StatusBadge>
              )}
            </td>
            <td className="px-3 py-2 text-xs" data-testid={`user-origin-${user.username}`}>
              <span className="whitespace-nowrap font-mono">{formatUtc(user.createdAt)}</span>
              {/* Provenance (separation of duties): who made the account and who last gave it roles. */}
              <div className="text-slate-500">
                {user.createdBy
                  ? `by ${user.createdBy}${user.createdVia && user.createdVia !== 'console' ? ` (${user.createdVia})` : ''}`
                  : 'creator not recorded'}
              </div>
              {user.lastChangedBy ? (
                <div className="text-slate-500">
                  roles by {user.lastChangedBy}, {formatUtc(user.lastChangedAt)}
                </div>
              ) : null}
            </td>
            <td className="px-3 py-2">
              {user.mustChangePassword ? (
                <StatusBadge tone="warn">must change (one-time)</StatusBadge>
              ) : (
                <span className="text-slate-500">own</span>
              )}
            </td>
            <td className="px-3 py-2 text-xs text-slate-600">
              {user.activeSessions} session{user.activeSessions === 1 ? '' : 's'}, {user.activeApiTokens} API token
              {user.activeApiTokens === 1 ? '' : 's'}
            </td>
            <td className="px-3 py-2">
              {user.username === currentUsername ? (
                // Nobody changes their own roles (lib/auth/user-admin.ts refuses it): the page says so up front.
                <span className="text-xs text-slate-600">
                  {user.roles.join(', ')} — your own roles are changed by another admin
                </span>
              ) : (
                <UserRowActions username={user.username} roles={user.roles} disabled={user.disabledAt !== null} />
              )}
            </td>
          </tr>
        ))}
      </DataTable>
    </TableSection>
  );
}
