/**
 * A signed-in user sets their own password: required after an admin's one-time password (the
 * console sends such a user to /account/password before anything else), allowed at any time.
 * The current password is asked again, so a session left open cannot be turned into a takeover;
 * the attempts are throttled like sign-in's (lib/auth/reauthenticate.ts). Every other session of
 * the user ends, the one in use stays signed in, and every API token of theirs is revoked (a token
 * minted by whoever had the old password must not outlive it); the answer says how many.
 */
import { z } from 'zod';
import type { Database } from '../db/connection';
import { ActionRefused, type ActionResult, defineAction } from './action';
import { revokeUserApiTokens } from './api-tokens';
import { HashingBusyError } from './hash-concurrency';
import { SIGN_IN_BUSY } from './login';
import { hashPassword } from './password';
import { requirePassword } from './reauthenticate';
import { auditRefusal, measureInput } from './refusal-audit';
import { ROLES } from './roles';
import type { SessionUser } from './sessions';
import { passwordSchema } from './users';

export const changeOwnPassword = defineAction({
  name: 'users.change_own_password',
  input: z
    .object({
      currentPassword: z.string().min(1, 'Enter your current password').max(256),
      newPassword: passwordSchema,
      confirmPassword: z.string(),
    })
    .refine((value) => value.newPassword === value.confirmPassword, {
      message: 'The two new passwords differ.',
      path: ['confirmPassword'],
    })
    .refine((value) => value.newPassword !== value.currentPassword, {
      message: 'Choose a password different from the current one.',
      path: ['newPassword'],
    }),
  roles: ROLES,
  async run({ tx, input, user, database }) {
    // Locked first: two changes at once are applied one after the other, each checked against the password then.
    await tx`select 1 from cutover.users where id = ${user.id} for update`;
    await requirePassword(tx, database.sql, {
      user,
      password: input.currentPassword,
      wrongMessage: 'The current password is wrong.',
    });
    const now = new Date();
    const passwordHash = await hashPassword(input.newPassword).catch((error: unknown) => {
      throw error instanceof HashingBusyError ? new ActionRefused(SIGN_IN_BUSY) : error;
    });
    await tx`
      update cutover.users set password_hash = ${passwordHash}, must_change_password = false
       where id = ${user.id}`;
    const ended = await tx`
      update cutover.sessions set revoked_at = ${now}
       where user_id = ${user.id} and revoked_at is null and id <> ${user.sessionId}`;
    const revokedApiTokens = await revokeUserApiTokens(tx, { userId: user.id, now, reason: 'password-changed' });
    return { username: user.username, endedOtherSessions: ended.count, revokedApiTokens };
  },
});

export const PASSWORD_CHANGE_FIRST =
  'Choose your own password first (the console shows the page): the one-time password an admin gave you allows nothing else.';

/**
 * Until a user has replaced an admin's one-time password, every server action but that change is
 * refused and audited: the admin knows the password, so nothing done with it may pass as the user's.
 * (The console's pages redirect such a user; this covers a server action called directly.)
 */
export async function refuseUntilPasswordChanged(
  database: Database,
  params: { specName: string; user: SessionUser | null; rawInput: unknown; address?: string | null },
): Promise<ActionResult<never> | null> {
  const { user } = params;
  if (!user?.mustChangePassword || params.specName === changeOwnPassword.name) return null;
  // A refused call: metadata only, rate-limited per address (lib/auth/refusal-audit.ts), never the input.
  await auditRefusal(database.sql, {
    action: params.specName,
    reason: PASSWORD_CHANGE_FIRST,
    address: params.address ?? null,
    userId: user.id,
    username: user.username,
    sizes: measureInput(params.rawInput ?? {}),
  });
  return { status: 'refused', reason: PASSWORD_CHANGE_FIRST };
}
