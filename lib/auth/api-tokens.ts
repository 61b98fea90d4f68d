/**
 * Personal API tokens: how the command line (`npm run cutover`) acts for a person without any
 * database credentials. A signed-in user creates one on the Tokens page; it is shown once, and the
 * table keeps only its sha-256 and a short prefix to tell tokens apart. A token is named, expires
 * (at most CUTOVER_API_TOKEN_MAX_DAYS), can be revoked, and carries its owner's roles as they are
 * at each request (a disabled user's tokens stop working). Creating and revoking are actions, so
 * they are validated, authorized and audited like every other change — never with the token itself.
 *
 * Creating one asks for the password again (lib/auth/reauthenticate.ts): a stolen session cookie
 * must not turn into 90 days of access. A password change or disabling the user revokes every
 * token of theirs, with the reason kept (`revoked_reason`) so the holder's next call says why.
 */
import { randomBytes } from 'node:crypto';
import { and, desc, eq, gt, isNull, lte, ne, or } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx, SqlOrTx } from '../db/connection';
import { type ApiTokenRevokedReason, apiTokens, users } from '../db/console-schema';
import { readSetting } from '../settings';
import { ActionRefused, defineAction } from './action';
import { requirePassword } from './reauthenticate';
import { ROLES, type Role } from './roles';
import { hashToken, type SessionUser } from './sessions';

/** Every token starts with it, so a leaked one is recognisable (and secret scanners can match it). */
export const API_TOKEN_PREFIX = 'dxyc_';
/** How many characters of a token are kept in clear: the prefix and 7 more. */
const SHOWN_CHARACTERS = API_TOKEN_PREFIX.length + 7;
/** A token's last use is written at most this often. */
const LAST_USED_GRANULARITY_MS = 60_000;
/** Active tokens a person may hold at once. */
export const MAX_ACTIVE_TOKENS_PER_USER = 20;
/** Lifetimes the Tokens page offers (each at most CUTOVER_API_TOKEN_MAX_DAYS). */
export const TOKEN_LIFETIME_CHOICES_DAYS = [1, 7, 30, 90] as const;

export function generateApiToken(): string {
  return `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function apiTokenMaxDays(env: Record<string, string | undefined> = process.env): number {
  return readSetting('CUTOVER_API_TOKEN_MAX_DAYS', env);
}

/** The lifetimes to offer: the usual choices up to the maximum, and the maximum itself. */
export function tokenLifetimeChoices(maxDays: number): number[] {
  return [...new Set([...TOKEN_LIFETIME_CHOICES_DAYS.filter((days) => days <= maxDays), maxDays])].sort(
    (a, b) => a - b,
  );
}

export const tokenNameSchema = z
  .string()
  .trim()
  .min(1, 'Give the token a name (what it is for, e.g. "laptop" or "cutover night")')
  .max(64, 'A token name has at most 64 characters');

export const createApiTokenInput = z
  .object({
    name: tokenNameSchema,
    expiresInDays: z.coerce
      .number({ message: 'Choose how many days the token lives' })
      .int('Choose a whole number of days')
      .min(1, 'A token lives at least 1 day'),
    /** The user's password, entered again (the audit log redacts every key naming a password). */
    password: z
      .string({ message: 'Enter your password to create a token' })
      .min(1, 'Enter your password to create a token')
      .max(256),
  })
  .superRefine((input, ctx) => {
    const max = apiTokenMaxDays();
    if (input.expiresInDays > max)
      ctx.addIssue({
        code: 'custom',
        path: ['expiresInDays'],
        message: `A token lives at most ${max} days (CUTOVER_API_TOKEN_MAX_DAYS)`,
      });
  });

export interface ApiTokenSummary {
  id: number;
  name: string;
  prefix: string;
  username: string;
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  revokedReason: ApiTokenRevokedReason | null;
}

export type ApiTokenState = 'active' | 'expired' | 'revoked';

export function apiTokenState(
  token: Pick<ApiTokenSummary, 'expiresAt' | 'revokedAt'>,
  now: Date = new Date(),
): ApiTokenState {
  if (token.revokedAt) return 'revoked';
  return new Date(token.expiresAt).getTime() <= now.getTime() ? 'expired' : 'active';
}

/**
 * Creates a token for the signed-in user. The result is the one place the token ever appears: the
 * audit log redacts its `token` key, and the table holds only its hash.
 */
export const createApiToken = defineAction({
  name: 'tokens.create',
  input: createApiTokenInput,
  roles: ROLES,
  async run({ tx, input, user, database }) {
    // The user's row locked first, as a password change or a disable does (lib/auth/user-admin-password.ts):
    // a token is then either created before the change (and revoked by it) or checked against the new
    // password — never inserted after the change's revocation with the old one.
    await tx`select 1 from cutover.users where id = ${user.id} for update`;
    await requirePassword(tx, database.sql, {
      user,
      password: input.password,
      wrongMessage: 'The password is wrong: no token was created.',
    });
    const [active] = await tx<{ n: number }[]>`
      select count(*)::int as n from cutover.api_tokens
       where user_id = ${user.id} and revoked_at is null and expires_at > now()`;
    if ((active?.n ?? 0) >= MAX_ACTIVE_TOKENS_PER_USER)
      throw new ActionRefused(
        `You already hold ${MAX_ACTIVE_TOKENS_PER_USER} active tokens: revoke one you no longer use first.`,
      );
    const token = generateApiToken();
    const prefix = token.slice(0, SHOWN_CHARACTERS);
    const [row] = await tx<{ id: number; createdAt: Date; expiresAt: Date }[]>`
      insert into cutover.api_tokens (user_id, name, token_hash, prefix, expires_at)
      values (${user.id}, ${input.name}, ${hashToken(token)}, ${prefix},
              now() + make_interval(days => ${input.expiresInDays}))
      returning id, created_at as "createdAt", expires_at as "expiresAt"`;
    if (!row) throw new Error('token not created');
    return { id: row.id, name: input.name, prefix, expiresAt: row.expiresAt, token };
  },
});

/**
 * Revokes a token: one's own, or anyone's for an admin. Revoking twice is not an error. The input
 * is `id`, not `tokenId`: the audit log redacts every key that says "token".
 */
export const revokeApiToken = defineAction({
  name: 'tokens.revoke',
  // An id beyond the column's int4 range would fail in the database as an unexpected error (an audit row each time).
  input: z.object({ id: z.coerce.number().int().positive().max(2_147_483_647) }),
  roles: ROLES,
  async run({ tx, input, user }) {
    const [row] = await tx<
      { id: number; userId: number; username: string; name: string; prefix: string; revokedAt: Date | null }[]
    >`
      select t.id, t.user_id as "userId", u.username, t.name, t.prefix, t.revoked_at as "revokedAt"
        from cutover.api_tokens t join cutover.users u on u.id = t.user_id
       where t.id = ${input.id} for update of t`;
    const own = row?.userId === user.id;
    // Someone else's token is "not found" for a non-admin: its existence is not theirs to learn.
    if (!row || (!own && !user.roles.includes('admin'))) throw new ActionRefused(`No token #${input.id} of yours.`);
    const summary = { id: row.id, name: row.name, prefix: row.prefix, owner: row.username };
    if (row.revokedAt) return { ...summary, revoked: true, changed: false };
    await tx`update cutover.api_tokens set revoked_at = now(), revoked_reason = 'by-hand' where id = ${row.id}`;
    return { ...summary, revoked: true, changed: true };
  },
});

/** The most tokens one list shows: the table only grows (revoked and expired tokens stay), a page must not. */
export const TOKEN_LIST_LIMIT = 200;

/**
 * A user's tokens (or, without userId, everybody's; `exceptUserId` leaves one user's out), newest
 * first, at most `limit` (TOKEN_LIST_LIMIT). `activeAt`: only tokens neither revoked nor expired then.
 */
export async function listApiTokens(
  db: DbOrTx,
  params: { userId?: number; exceptUserId?: number; activeAt?: Date; limit?: number } = {},
): Promise<ApiTokenSummary[]> {
  const conditions = [
    params.userId === undefined ? undefined : eq(apiTokens.userId, params.userId),
    params.exceptUserId === undefined ? undefined : ne(apiTokens.userId, params.exceptUserId),
    params.activeAt === undefined ? undefined : isNull(apiTokens.revokedAt),
    params.activeAt === undefined ? undefined : gt(apiTokens.expiresAt, params.activeAt),
  ];
  return db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      prefix: apiTokens.prefix,
      username: users.username,
      createdAt: apiTokens.createdAt,
      expiresAt: apiTokens.expiresAt,
      lastUsedAt: apiTokens.lastUsedAt,
      revokedAt: apiTokens.revokedAt,
      revokedReason: apiTokens.revokedReason,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(...conditions))
    .orderBy(desc(apiTokens.id))
    .limit(Math.max(1, Math.min(params.limit ?? TOKEN_LIST_LIMIT, TOKEN_LIST_LIMIT)));
}

export interface TokenUser extends SessionUser {
  token: { id: number; name: string; prefix: string; expiresAt: Date };
}

export type TokenCheck =
  | { status: 'ok'; user: TokenUser }
  | {
      status: 'refused';
      reason: 'unknown' | 'expired' | 'revoked' | 'revoked-password-changed' | 'disabled' | 'password-change';
    };

/** What a refused token is told; the holder of a real token may learn why it no longer works. */
export const TOKEN_REFUSALS: Record<Exclude<TokenCheck, { status: 'ok' }>['reason'], string> = {
  unknown: 'The API token is not valid. Create one on the console’s Tokens page and set it as CUTOVER_TOKEN.',
  expired: 'The API token has expired. Create a new one on the console’s Tokens page.',
  revoked: 'The API token was revoked. Create a new one on the console’s Tokens page.',
  'revoked-password-changed':
    'The API token was revoked by a change of its user’s password. Create a new one on the console’s Tokens page.',
  disabled: 'The API token’s user is disabled.',
  'password-change':
    'The API token’s user was given a one-time password: sign in to the console and choose your own first.',
};

function revokedBecause(reason: ApiTokenRevokedReason | null): 'revoked' | 'revoked-password-changed' | 'disabled' {
  if (reason === 'password-changed') return 'revoked-password-changed';
  return reason === 'user-disabled' ? 'disabled' : 'revoked';
}

/**
 * Revokes every active token of a user, saying why; the count revoked. Inside the transaction of
 * the change that causes it (a password change, disabling the user).
 */
export async function revokeUserApiTokens(
  tx: SqlOrTx,
  params: { userId: number; now: Date; reason: Exclude<ApiTokenRevokedReason, 'by-hand'> },
): Promise<number> {
  const revoked = await tx`
    update cutover.api_tokens set revoked_at = ${params.now}, revoked_reason = ${params.reason}
     where user_id = ${params.userId} and revoked_at is null`;
  return revoked.count;
}

/** Checks a presented token; on success writes its last use (at most once a minute). */
export async function checkApiToken(db: DbOrTx, params: { token: string; now?: Date }): Promise<TokenCheck> {
  const now = params.now ?? new Date();
  if (!params.token.startsWith(API_TOKEN_PREFIX) || params.token.length > 200)
    return { status: 'refused', reason: 'unknown' };
  const [row] = await db
    .select({
      tokenId: apiTokens.id,
      name: apiTokens.name,
      prefix: apiTokens.prefix,
      expiresAt: apiTokens.expiresAt,
      revokedAt: apiTokens.revokedAt,
      revokedReason: apiTokens.revokedReason,
      lastUsedAt: apiTokens.lastUsedAt,
      userId: users.id,
      username: users.username,
      roles: users.roles,
      disabledAt: users.disabledAt,
      mustChangePassword: users.mustChangePassword,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(eq(apiTokens.tokenHash, hashToken(params.token)));
  if (!row) return { status: 'refused', reason: 'unknown' };
  if (row.revokedAt) return { status: 'refused', reason: revokedBecause(row.revokedReason) };
  if (row.expiresAt.getTime() <= now.getTime()) return { status: 'refused', reason: 'expired' };
  if (row.disabledAt) return { status: 'refused', reason: 'disabled' };
  if (row.mustChangePassword) return { status: 'refused', reason: 'password-change' };
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_GRANULARITY_MS) {
    const cutoff = new Date(now.getTime() - LAST_USED_GRANULARITY_MS);
    await db
      .update(apiTokens)
      .set({ lastUsedAt: now })
      .where(
        and(
          eq(apiTokens.id, row.tokenId),
          isNull(apiTokens.revokedAt),
          or(isNull(apiTokens.lastUsedAt), lte(apiTokens.lastUsedAt, cutoff)),
        ),
      );
  }
  return {
    status: 'ok',
    user: {
      id: row.userId,
      username: row.username,
      roles: row.roles as Role[],
      sessionId: `token:${row.tokenId}`,
      token: { id: row.tokenId, name: row.name, prefix: row.prefix, expiresAt: row.expiresAt },
    },
  };
}

/**
 * The user a token acts for, or null when it is unknown, expired, revoked, or its user is disabled
 * or must first replace a one-time password an admin gave.
 */
export async function findTokenUser(db: DbOrTx, params: { token: string; now?: Date }): Promise<TokenUser | null> {
  const check = await checkApiToken(db, params);
  return check.status === 'ok' ? check.user : null;
}

/** How an action taken with this token is marked in the audit log. */
export function viaToken(user: TokenUser): string {
  return `token "${user.token.name}" (${user.token.prefix}…)`;
}
