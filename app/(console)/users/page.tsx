import type { Metadata } from 'next';
import { UserAddForm } from '@/components/user-add-form';
import { UserInvitations } from '@/components/user-invitations';
import { UserTable } from '@/components/user-table';
import { requireUser } from '@/lib/auth/current-user';
import { listPendingInvitations, listUsersForAdmin } from '@/lib/auth/user-admin-list';
import { getDatabase } from '@/lib/db/connection';
import { toJson } from '@/lib/json';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Users' };

export default async function UsersPage() {
  const user = await requireUser();
  if (!user.roles.includes('admin')) {
    // Not a crash and not a 404: the person learns who can help. The actions refuse them anyway.
    return (
      <div className="space-y-3">
        <h1 className="text-2xl font-semibold">Users</h1>
        <p
          role="status"
          className="rounded bg-amber-50 px-3 py-2 text-sm text-amber-900"
          data-testid="users-admin-only"
        >
          Only admins manage users. You are signed in as {user.username} ({user.roles.join(', ')}); ask an admin to add
          someone, change roles or disable an account.
        </p>
      </div>
    );
  }
  const now = new Date();
  const sql = getDatabase().sql;
  const [users, invitations] = await Promise.all([listUsersForAdmin(sql, now), listPendingInvitations(sql, now)]);
  return (
    <div className="space-y-5">
      <div>
        <h1 className="text-2xl font-semibold">Users</h1>
        <p className="text-sm text-slate-600">
          Add people with a one-time password or an invitation link, change their roles, disable them. Every change is
          in the audit log under your name. Roles apply from the person’s next click; disabling signs them out
          everywhere and revokes their API tokens.
        </p>
      </div>
      <UserAddForm />
      <UserTable users={users} currentUsername={user.username} />
      <UserInvitations invitations={toJson(invitations)} />
    </div>
  );
}
