/**
 * The accounts and how they sign in: users and their roles, sessions, personal API tokens, invitations and the
 * sign-in throttle's state.
 */
import { boolean, index, integer, primaryKey, serial, text } from 'drizzle-orm/pg-core';
import { cutover, tstz } from './cutover-schema';

export const ROLES = ['viewer', 'operator', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const users = cutover.table('users', {
  id: serial('id').primaryKey(),
  username: text('username').notNull().unique(),
  passwordHash: text('password_hash').notNull(),
  roles: text('roles').array().notNull().$type<Role[]>(),
  createdAt: tstz('created_at').notNull().defaultNow(),
  disabledAt: tstz('disabled_at'),
  /** Set when an admin gave a one-time password: the user must choose their own at next sign-in. */
  mustChangePassword: boolean('must_change_password').notNull().default(false),
});

export const sessions = cutover.table(
  'sessions',
  {
    /** sha-256 of the cookie token: a leaked table does not leak usable sessions. */
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    createdAt: tstz('created_at').notNull().defaultNow(),
    expiresAt: tstz('expires_at').notNull(),
    revokedAt: tstz('revoked_at'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    /** Last signed-in request: the idle timeout counts from here (expires_at is the absolute end). */
    lastSeenAt: tstz('last_seen_at').notNull().defaultNow(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/** Why an API token was revoked: by its owner or an admin, by the owner's password change, by disabling the owner. */
export type ApiTokenRevokedReason = 'by-hand' | 'password-changed' | 'user-disabled';

/** Personal API tokens for the CLI: only the sha-256 is stored; the token carries its owner's roles. */
export const apiTokens = cutover.table(
  'api_tokens',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    /** The first characters of the token, shown in lists so a person can tell their tokens apart. */
    prefix: text('prefix').notNull(),
    createdAt: tstz('created_at').notNull().defaultNow(),
    expiresAt: tstz('expires_at').notNull(),
    lastUsedAt: tstz('last_used_at'),
    revokedAt: tstz('revoked_at'),
    /** Why it was revoked (drizzle/0018_token_hygiene.sql); null on rows revoked before the column existed. */
    revokedReason: text('revoked_reason').$type<ApiTokenRevokedReason>(),
  },
  (t) => [index('api_tokens_user_idx').on(t.userId)],
);

/** An admin's invitation: whoever opens the link once chooses the password of the named user. */
export const userInvitations = cutover.table('user_invitations', {
  id: serial('id').primaryKey(),
  tokenHash: text('token_hash').notNull().unique(),
  username: text('username').notNull(),
  roles: text('roles').array().notNull().$type<Role[]>(),
  createdBy: integer('created_by')
    .notNull()
    .references(() => users.id),
  createdAt: tstz('created_at').notNull().defaultNow(),
  expiresAt: tstz('expires_at').notNull(),
  acceptedAt: tstz('accepted_at'),
  revokedAt: tstz('revoked_at'),
});

/**
 * The sign-in throttle's state per (username, client address), updated atomically with one upsert:
 * failures slow down that pair only, so an attacker elsewhere never locks the real user out.
 */
export const signInThrottle = cutover.table(
  'sign_in_throttle',
  {
    /** Which use of the throttle (lib/auth/sign-in-throttle.ts ThrottleBucket): 'sign-in', 'bearer-token', … */
    bucket: text('bucket').notNull().default('sign-in'),
    username: text('username').notNull(),
    address: text('address').notNull(),
    failures: integer('failures').notNull().default(0),
    lastFailureAt: tstz('last_failure_at'),
    /** No attempt of this pair is checked before this moment. */
    blockedUntil: tstz('blocked_until'),
    /** Attempts refused while blocked: counted here instead of one audit row each. */
    throttledAttempts: integer('throttled_attempts').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.bucket, t.username, t.address] })],
);
