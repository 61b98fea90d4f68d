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
  /** Who created the account (an admin, `cli:OSUSER@HOST` for break-glass) and how; null when unrecorded. */
  createdBy: string | null;
  createdVia: string | null;
  /** The latest role change or re-enabling: by whom and when (separation of duties: docs/operations.md). */
  lastChangedBy: string | null;
  lastChangedAt: Date | null;
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
             where t.user_id = u.id and t.revoked_at is null and t.expires_at > ${now}) as "activeApiTokens",
           created.changed_by as "createdBy", created.via as "createdVia",
           changed.changed_by as "lastChangedBy", changed.at as "lastChangedAt"
      from cutover.users u
      left join lateral (select changed_by, via from cutover.account_changes c
                          where c.user_id = u.id and c.change = 'created' order by c.id limit 1) created on true
      left join lateral (select changed_by, at from cutover.account_changes c
                          where c.user_id = u.id and c.change in ('roles', 'enabled') order by c.id desc limit 1) changed
             on true
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
