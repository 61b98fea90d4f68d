/**
 * Invitations (docs/architecture.md "Security"): an admin names a user and their roles; whoever
 * opens the link once chooses that user's password. The link carries a random token, the table
 * only its sha-256 (like sessions), so a leaked table opens nothing. Accepting is single use and
 * atomic: the invitation is claimed by one conditional update in the transaction that creates the
 * user, so two tabs racing create exactly one user.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Database, SqlOrTx } from '../db/connection';
import { textArrayLiteral } from '../db/text-array';
import { readSetting } from '../settings';
import { recordAudit } from './audit';
import { UNKNOWN_ADDRESS } from './client-address';
import { HashingBusyError, SIGN_IN_MAX_HASH_WAIT_MS } from './hash-concurrency';
import { hashPassword } from './password';
import { auditRefusal, measureInput } from './refusal-audit';
import type { Role } from './roles';
import { hashToken } from './sessions';
import {
  admitAttempt,
  recordAttemptSuccess,
  refundAttempt,
  type ThrottleBucket,
  throttleAddress,
} from './sign-in-throttle';
import { insertUserRow, isUniqueViolation, lockUserAdministration, passwordSchema } from './users';

/** Long enough to reach someone across time zones and a weekend, short enough to go stale. */
export const INVITATION_TTL_MS = 72 * 60 * 60 * 1000;

export async function createInvitation(
  tx: SqlOrTx,
  params: { username: string; roles: Role[]; createdBy: number; now: Date; ttlMs: number },
): Promise<{ id: number; token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(params.now.getTime() + params.ttlMs);
  const [row] = await tx<{ id: number }[]>`
    insert into cutover.user_invitations (token_hash, username, roles, created_by, created_at, expires_at)
    values (${hashToken(token)}, ${params.username}, ${textArrayLiteral(params.roles)}::text[], ${params.createdBy},
            ${params.now}, ${expiresAt})
    returning id`;
  if (!row) throw new Error('Invitation was not created');
  return { id: row.id, token, expiresAt };
}

/**
 * The link to send: on CUTOVER_PUBLIC_URL when set (the address people really use, never guessed),
 * otherwise on the origin the admin's browser used, which the caller passes in.
 */
export function invitationLink(token: string, requestOrigin: string | undefined): string {
  const base = readSetting('CUTOVER_PUBLIC_URL') || requestOrigin;
  if (!base) throw new Error('Set CUTOVER_PUBLIC_URL: the invitation link needs the console’s address.');
  return new URL(`/invite/${token}`, base).toString();
}

export type InvitationState =
  | { status: 'pending'; username: string; roles: Role[]; expiresAt: Date }
  | { status: 'accepted' | 'revoked' | 'expired'; username: string }
  | { status: 'unknown' };

export const INVITATION_PROBLEMS: Record<Exclude<InvitationState['status'], 'pending'>, string> = {
  unknown: 'This invitation link is not valid. Ask an admin for a new one.',
  accepted: 'This invitation was already used. Sign in with the password chosen then, or ask an admin.',
  revoked: 'This invitation was revoked by an admin. Ask an admin for a new one.',
  expired: 'This invitation has expired. Ask an admin for a new one.',
};

export async function readInvitation(sql: SqlOrTx, params: { token: string; now: Date }): Promise<InvitationState> {
  // A token never has more than 100 characters; anything else is not worth a hash and a query.
  if (params.token.length === 0 || params.token.length > 100) return { status: 'unknown' };
  const [row] = await sql<
    { username: string; roles: Role[]; expiresAt: Date; acceptedAt: Date | null; revokedAt: Date | null }[]
  >`
    select username, roles, expires_at as "expiresAt", accepted_at as "acceptedAt", revoked_at as "revokedAt"
      from cutover.user_invitations where token_hash = ${hashToken(params.token)}`;
  if (!row) return { status: 'unknown' };
  if (row.acceptedAt) return { status: 'accepted', username: row.username };
  if (row.revokedAt) return { status: 'revoked', username: row.username };
  if (row.expiresAt.getTime() <= params.now.getTime()) return { status: 'expired', username: row.username };
  return { status: 'pending', username: row.username, roles: row.roles, expiresAt: row.expiresAt };
}

export const acceptInvitationSchema = z
  .object({
    token: z.string().min(1).max(100),
    password: passwordSchema,
    confirmPassword: z.string(),
  })
  .refine((value) => value.password === value.confirmPassword, {
    message: 'The two passwords differ.',
    path: ['confirmPassword'],
  });

export type AcceptInvitationResult =
  | { status: 'ok'; username: string }
  | { status: 'invalid'; fieldErrors: Record<string, string[]> }
  | { status: 'refused'; reason: string };

/**
 * Acceptances are throttled per client address with the sign-in throttle's machinery: a few free
 * failures (a mistyped link), then growing waits. A caller whose address is unknown (no socket
 * address, no front server: lib/auth/client-address-header.ts) is counted in the one shared
 * "unknown" bucket — it must not escape the throttle by hiding its address, and the cost falls on
 * the unknown callers only, never on people whose address is known.
 */
export const INVITATION_BUCKET: ThrottleBucket = { name: 'invitation', freePerKey: 5, freePerAddress: 5 };
/** One key per address: any invitation token tried from there counts. */
const INVITATION_KEY = 'accept';

export const INVITATION_BUSY =
  'The console is handling too many requests right now; your invitation is still valid. Try again in a few seconds.';

export function invitationThrottledMessage(retryAfterSeconds: number): string {
  const wait = retryAfterSeconds < 90 ? `${retryAfterSeconds} s` : `${Math.ceil(retryAfterSeconds / 60)} minutes`;
  return `Too many invitation attempts from this address. Try again in ${wait}.`;
}

const ACTION = 'users.accept_invitation';

/**
 * Creates the invited user with the chosen password and marks the invitation accepted, in one
 * transaction with its audit row. Nobody is signed in, so this is not a wrapper action. Cheap
 * refusals first (docs/architecture.md "Security"): the input's shape, then the throttle, then the
 * token (one indexed lookup of its hash) — only an acceptance of a pending invitation reaches the
 * password hash, and that waits for a hash slot no longer than a sign-in does. Refusals are audited
 * as metadata through auditRefusal (rate-limited and aggregated per address), never the input.
 */
export async function acceptInvitation(
  database: Database,
  params: { rawInput: unknown; address?: string | null; now?: Date },
): Promise<AcceptInvitationResult> {
  const now = params.now ?? new Date();
  const address = params.address || UNKNOWN_ADDRESS;
  const throttleKey = { bucket: INVITATION_BUCKET, key: INVITATION_KEY, address: throttleAddress(address) };
  const refuse = async (reason: string, username: string | null, note = reason) => {
    await auditRefusal(database.sql, {
      action: ACTION,
      reason: note,
      address,
      username,
      sizes: measureInput(params.rawInput),
    });
    return { status: 'refused', reason } as const;
  };

  const parsed = acceptInvitationSchema.safeParse(params.rawInput ?? {});
  if (!parsed.success) {
    const fieldErrors: Record<string, string[]> = {};
    for (const issue of parsed.error.issues) {
      const key = issue.path.length > 0 ? issue.path.join('.') : '_form';
      fieldErrors[key] = [...(fieldErrors[key] ?? []), issue.message];
    }
    await auditRefusal(database.sql, {
      action: ACTION,
      reason: 'invalid input',
      outcome: 'invalid',
      address,
      sizes: measureInput(params.rawInput),
      fields: Object.keys(fieldErrors),
    });
    return { status: 'invalid', fieldErrors };
  }
  const { token, password } = parsed.data;

  const admission = await admitAttempt(database.sql, { ...throttleKey, now });
  if (!admission.admitted) {
    const seconds = Math.max(1, Math.ceil((admission.retryAt.getTime() - now.getTime()) / 1000));
    return refuse(invitationThrottledMessage(seconds), null, 'throttled');
  }
  const state = await readInvitation(database.sql, { token, now });
  if (state.status !== 'pending')
    return refuse(INVITATION_PROBLEMS[state.status], 'username' in state ? state.username : null);

  let passwordHash: string;
  try {
    // Before the transaction: the 100 ms of scrypt need not hold the lock.
    passwordHash = await hashPassword(password, { maxWaitMs: SIGN_IN_MAX_HASH_WAIT_MS });
  } catch (error) {
    if (!(error instanceof HashingBusyError)) throw error;
    // Not the caller's failure: the attempt is not counted against the address.
    await refundAttempt(database.sql, throttleKey);
    return refuse(INVITATION_BUSY, state.username, 'busy: password hashing saturated');
  }
  try {
    const accepted = await database.sql.begin(async (tx) => {
      await lockUserAdministration(tx);
      const [claimed] = await tx<{ id: number; username: string; roles: Role[] }[]>`
        update cutover.user_invitations set accepted_at = ${now}
         where token_hash = ${hashToken(token)} and accepted_at is null and revoked_at is null and expires_at > ${now}
         returning id, username, roles`;
      if (!claimed) {
        // Taken or revoked since the check above (another tab, an admin), in the invitee's terms.
        const again = await readInvitation(tx, { token, now });
        const problem = again.status === 'pending' ? 'unknown' : again.status;
        throw new InvitationRefused(INVITATION_PROBLEMS[problem], 'username' in again ? again.username : null);
      }
      const nameTaken = () =>
        new InvitationRefused(
          `A user named "${claimed.username}" already exists; this invitation cannot create it. Ask an admin.`,
          claimed.username,
        );
      if ((await tx`select 1 from cutover.users where username = ${claimed.username}`).length > 0) throw nameTaken();
      // The unique constraint backs the check up against a writer that does not take the lock.
      const user = await insertUserRow(tx, {
        username: claimed.username,
        passwordHash,
        roles: claimed.roles,
        mustChangePassword: false,
      }).catch((error: unknown) => {
        throw isUniqueViolation(error) ? nameTaken() : error;
      });
      await recordAudit(tx, {
        userId: user.id,
        username: user.username,
        action: ACTION,
        outcome: 'ok',
        detail: { invitationId: claimed.id, roles: user.roles, address },
      });
      return { status: 'ok', username: user.username } as const;
    });
    await recordAttemptSuccess(database.sql, throttleKey);
    return accepted;
  } catch (error) {
    if (error instanceof InvitationRefused) return refuse(error.message, error.username);
    throw error;
  }
}

/** Rolls the acceptance back (the invitation stays as it was) and says why. */
class InvitationRefused extends Error {
  constructor(
    message: string,
    readonly username: string | null,
  ) {
    super(message);
  }
}
