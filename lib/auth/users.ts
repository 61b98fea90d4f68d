import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx, SqlOrTx } from '../db/connection';
import { users } from '../db/console-schema';
import { textArrayLiteral } from '../db/text-array';
import { hashPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password';
import { ROLES, type Role } from './roles';

export const usernameSchema = z
  .string()
  .trim()
  .min(2, 'Username must have at least 2 characters')
  .max(64, 'Username must have at most 64 characters')
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'Username may contain lower-case letters, digits, dot, dash and underscore');

export const passwordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `Password must have at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `Password must have at most ${PASSWORD_MAX_LENGTH} characters`);

export const newUserSchema = z.object({
  username: usernameSchema,
  password: passwordSchema,
  roles: z.array(z.enum(ROLES)).min(1, 'Give the user at least one role'),
});

export interface UserSummary {
  id: number;
  username: string;
  roles: Role[];
  createdAt: Date;
  disabledAt: Date | null;
}

export async function createUser(db: DbOrTx, input: z.input<typeof newUserSchema>): Promise<UserSummary> {
  const parsed = newUserSchema.parse(input);
  const existing = await findUserByUsername(db, { username: parsed.username });
  if (existing) throw new Error(`User "${parsed.username}" already exists`);
  const [row] = await db
    .insert(users)
    .values({ username: parsed.username, passwordHash: await hashPassword(parsed.password), roles: parsed.roles })
    .returning();
  if (!row) throw new Error('User was not created');
  return summarize(row);
}

export async function findUserByUsername(db: DbOrTx, params: { username: string }) {
  const [row] = await db.select().from(users).where(eq(users.username, params.username));
  return row ?? null;
}

export async function listUsers(db: DbOrTx): Promise<UserSummary[]> {
  const rows = await db.select().from(users).orderBy(asc(users.username));
  return rows.map(summarize);
}

export async function disableUser(db: DbOrTx, params: { username: string; at: Date }): Promise<boolean> {
  const rows = await db
    .update(users)
    .set({ disabledAt: params.at })
    .where(eq(users.username, params.username))
    .returning({ id: users.id });
  return rows.length > 0;
}

function summarize(row: typeof users.$inferSelect): UserSummary {
  return {
    id: row.id,
    username: row.username,
    roles: row.roles,
    createdAt: row.createdAt,
    disabledAt: row.disabledAt,
  };
}

/*
 * Raw-SQL operations for user administration: the console's actions (lib/auth/user-admin.ts) and
 * the break-glass CLI (scripts/users.ts) run them inside the transaction that writes their audit
 * row, which is a postgres.js transaction, not a drizzle one.
 */

/**
 * Serializes every change to users and invitations: "is a name free?" and "is another admin
 * left?" are then answered and acted on with nobody changing the answer in between (two admins
 * adding the same name, or each removing the other's admin role, at the same instant).
 */
export async function lockUserAdministration(tx: SqlOrTx): Promise<void> {
  await tx`select pg_advisory_xact_lock(hashtext('cutover.user-administration'))`;
}

export interface UserRow {
  id: number;
  username: string;
  roles: Role[];
  disabledAt: Date | null;
  mustChangePassword: boolean;
}

export async function findUserRow(tx: SqlOrTx, username: string): Promise<UserRow | null> {
  const [row] = await tx<UserRow[]>`
    select id, username, roles, disabled_at as "disabledAt", must_change_password as "mustChangePassword"
      from cutover.users where username = ${username}`;
  return row ?? null;
}

/** Active (not disabled) users holding the admin role, other than `exceptUserId`. */
export async function countOtherActiveAdmins(tx: SqlOrTx, exceptUserId: number | null): Promise<number> {
  const [row] = await tx<{ n: number }[]>`
    select count(*)::int as n from cutover.users
     where 'admin' = any(roles) and disabled_at is null and id <> ${exceptUserId ?? -1}`;
  return row?.n ?? 0;
}

/**
 * Why a name cannot be given to a new user or invitation right now, or null when it can. Takes
 * the caller's lock for granted; the unique constraint on users.username backs it up.
 */
export async function whyNameUnavailable(tx: SqlOrTx, username: string, now: Date): Promise<string | null> {
  if (await findUserRow(tx, username)) return `A user named "${username}" already exists.`;
  const [pending] = await tx<{ expiresAt: Date }[]>`
    select expires_at as "expiresAt" from cutover.user_invitations
     where username = ${username} and accepted_at is null and revoked_at is null and expires_at > ${now}
     limit 1`;
  if (pending) {
    return `An invitation for "${username}" is pending (until ${pending.expiresAt.toISOString()}); revoke it first.`;
  }
  return null;
}

export async function insertUserRow(
  tx: SqlOrTx,
  params: { username: string; passwordHash: string; roles: Role[]; mustChangePassword: boolean },
): Promise<UserRow> {
  const [row] = await tx<UserRow[]>`
    insert into cutover.users (username, password_hash, roles, must_change_password)
    values (${params.username}, ${params.passwordHash}, ${textArrayLiteral(params.roles)}::text[], ${params.mustChangePassword})
    returning id, username, roles, disabled_at as "disabledAt", must_change_password as "mustChangePassword"`;
  if (!row) throw new Error('User was not created');
  return row;
}

/** Ends everything a user is signed in with: browser sessions and API tokens. */
export async function revokeUserAccess(
  tx: SqlOrTx,
  params: { userId: number; now: Date },
): Promise<{ sessions: number; apiTokens: number }> {
  const revokedSessions = await tx`
    update cutover.sessions set revoked_at = ${params.now}
     where user_id = ${params.userId} and revoked_at is null and expires_at > ${params.now}`;
  // Its only callers disable the user; the reason tells the token's holder why (lib/auth/api-tokens.ts).
  const revokedTokens = await tx`
    update cutover.api_tokens set revoked_at = ${params.now}, revoked_reason = 'user-disabled'
     where user_id = ${params.userId} and revoked_at is null`;
  return { sessions: revokedSessions.count, apiTokens: revokedTokens.count };
}

/** True for the unique-constraint violation a lost race on a username ends in. */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === '23505';
}
