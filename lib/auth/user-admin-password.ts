/**
 * A signed-in user sets their own password: required after an admin's one-time password (the
 * console sends such a user to /account/password before anything else), allowed at any time.
 * The current password is asked again, so a session left open cannot be turned into a takeover.
 * Every other session of the user ends; the one in use stays signed in.
 */
import { z } from 'zod';
import { ActionRefused, defineAction } from './action';
import { hashPassword, verifyPassword } from './password';
import { ROLES } from './roles';
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
  async run({ tx, input, user }) {
    const [row] = await tx<{ passwordHash: string }[]>`
      select password_hash as "passwordHash" from cutover.users where id = ${user.id} for update`;
    if (!row || !(await verifyPassword(input.currentPassword, row.passwordHash))) {
      throw new ActionRefused('The current password is wrong.');
    }
    const now = new Date();
    await tx`
      update cutover.users set password_hash = ${await hashPassword(input.newPassword)}, must_change_password = false
       where id = ${user.id}`;
    const ended = await tx`
      update cutover.sessions set revoked_at = ${now}
       where user_id = ${user.id} and revoked_at is null and id <> ${user.sessionId}`;
    return { username: user.username, endedOtherSessions: ended.count };
  },
});
