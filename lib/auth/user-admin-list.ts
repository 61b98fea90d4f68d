/** What the Users page shows: every user, and the invitations still waiting to be accepted. */
import type { SqlOrTx } from '../db/connection';
import type { Role } from './roles';

export interface AdminUserRow {
  id: number;
  username: string;
  roles: Role[];
  createdAt: Date;
  disabledAt: Date | null;
  mustChangePassword: boolean;
  activeSessions: number;
  activeApiTokens: number;
}

export interface PendingInvitationRow {
  id: number;
  username: string;
  roles: Role[];
  createdBy: string;
  createdAt: Date;
  expiresAt: Date;
}

export async function listUsersForAdmin(sql: SqlOrTx, now: Date): Promise<AdminUserRow[]> {
  return sql<AdminUserRow[]>`
    select u.id, u.username, u.roles, u.created_at as "createdAt", u.disabled_at as "disabledAt",
           u.must_change_password as "mustChangePassword",
           (select count(*)::int from cutover.sessions s
             where s.user_id = u.id and s.revoked_at is null and s.expires_at > ${now}) as "activeSessions",
           (select count(*)::int from cutover.api_tokens t
             where t.user_id = u.id and t.revoked_at is null and t.expires_at > ${now}) as "activeApiTokens"
      from cutover.users u
     order by u.username`;
}

export async function listPendingInvitations(sql: SqlOrTx, now: Date): Promise<PendingInvitationRow[]> {
  return sql<PendingInvitationRow[]>`
    select i.id, i.username, i.roles, u.username as "createdBy", i.created_at as "createdAt", i.expires_at as "expiresAt"
      from cutover.user_invitations i
      join cutover.users u on u.id = i.created_by
     where i.accepted_at is null and i.revoked_at is null and i.expires_at > ${now}
     order by i.created_at desc`;
}
