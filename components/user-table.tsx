import type { AdminUserRow } from '@/lib/auth/user-admin-list';
import { formatUtc } from '@/lib/format';
import { StatusBadge } from './status-badge';
import { UserRowActions } from './user-row-actions';

/** Every user: roles, status, when added, whether they still owe a password change; actions per row. */
export function UserTable({ users, currentUsername }: { users: AdminUserRow[]; currentUsername: string }) {
  return (
    <section className="space-y-2" aria-label="Users">
      <h2 className="font-semibold">Users ({users.length})</h2>
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="w-full text-sm" data-testid="user-table">
          <thead className="text-left text-xs uppercase text-slate-500">
            <tr>
              <th className="px-3 py-2">Username</th>
              <th className="px-3 py-2">Status</th>
              <th className="px-3 py-2">Created</th>
              <th className="px-3 py-2">Password</th>
              <th className="px-3 py-2">Signed in</th>
              <th className="px-3 py-2">Roles and actions</th>
            </tr>
          </thead>
          <tbody>
            {users.map((user) => (
              <tr
                key={user.id}
                className="border-t border-slate-100 align-top"
                data-testid={`user-row-${user.username}`}
              >
                <td className="px-3 py-2 font-medium">
                  {user.username}
                  {user.username === currentUsername ? (
                    <span className="ml-1 text-xs text-slate-500">(you)</span>
                  ) : null}
                </td>
                <td className="px-3 py-2">
                  {user.disabledAt ? (
                    <StatusBadge tone="bad">disabled {formatUtc(user.disabledAt)}</StatusBadge>
                  ) : (
                    <StatusBadge tone="good">active</StatusBadge>
                  )}
                </td>
                <td className="whitespace-nowrap px-3 py-2 font-mono text-xs">{formatUtc(user.createdAt)}</td>
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
                  <UserRowActions username={user.username} roles={user.roles} disabled={user.disabledAt !== null} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
