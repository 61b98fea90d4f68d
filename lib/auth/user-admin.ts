/**
 * What an admin does on the Users page (docs/architecture.md "Security"): add a user with a
 * one-time password, invite one by link, revoke an invitation, change roles, disable and enable.
 * Each is an action of the one wrapper, so every attempt — by an admin or refused for anyone
 * else — is audited under the name of whoever tried. All of them take the user-administration
 * lock first, so that a name check or a "last admin" check cannot be overtaken by a second admin
 * acting at the same instant.
 *
 * Roles need no session revocation: every request reads the user's roles afresh
 * (findSessionUser and checkApiToken join cutover.users), so a change applies at the next click.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { textArrayLiteral } from '../db/text-array';
import { setAccountActor } from './account-origin';
import { ActionRefused, defineAction } from './action';
import { createInvitation, INVITATION_TTL_MS, invitationLink } from './invitations';
import { hashPassword } from './password';
import { ROLES, type Role } from './roles';
import type { SessionUser } from './sessions';
import {
  countOtherActiveAdmins,
  findUserRow,
  insertUserRow,
  isUniqueViolation,
  lockUserAdministration,
  revokeUserAccess,
  usernameSchema,
  whyNameUnavailable,
} from './users';

/** At least one role, each known, duplicates dropped, in the order ROLES lists them. */
export const rolesSchema = z
  .array(z.enum(ROLES, { error: `Roles are ${ROLES.join(', ')}` }))
  .min(1, 'Give the user at least one role')
  .transform((roles) => ROLES.filter((role) => roles.includes(role)));

/** 18 random bytes as base64url: 24 characters, 144 bits, above the password minimum of 10. */
export function generateOneTimePassword(): string {
  return randomBytes(18).toString('base64url');
}

const LAST_ADMIN =
  'is the last active admin: give another active user the admin role first, or nobody could manage users.';

export const SELF_ROLES = 'Nobody can change their own roles (separation of duties): ask another admin to do it.';

/** Names the admin (and the session) behind the account changes of this transaction (lib/auth/account-origin.ts). */
function actAs(tx: Parameters<typeof lockUserAdministration>[0], admin: SessionUser) {
  return setAccountActor(tx, {
    via: 'console',
    userId: admin.id,
    username: admin.username,
    sessionId: admin.sessionId,
  });
}

/** Refuses a change that would leave no active admin. */
async function keepAnAdmin(
  tx: Parameters<typeof lockUserAdministration>[0],
  target: { id: number; username: string; roles: Role[]; disabledAt: Date | null },
) {
  if (!target.roles.includes('admin') || target.disabledAt) return;
  if ((await countOtherActiveAdmins(tx, target.id)) === 0) throw new ActionRefused(`${target.username} ${LAST_ADMIN}`);
}

async function requireUser(tx: Parameters<typeof lockUserAdministration>[0], username: string) {
  const user = await findUserRow(tx, username);
  if (!user) throw new ActionRefused(`No user named "${username}".`);
  return user;
}

/** Turns a lost race on a unique name (despite the lock, e.g. an older console) into a clear refusal. */
async function uniqueName<T>(username: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error)) throw new ActionRefused(`A user named "${username}" already exists.`);
    throw error;
  }
}

export const addUserWithOneTimePassword = defineAction({
  name: 'users.add_user',
  input: z.object({ username: usernameSchema, roles: rolesSchema }),
  roles: ['admin'],
  async run({ tx, input, user: admin }) {
    await lockUserAdministration(tx);
    await actAs(tx, admin);
    const unavailable = await whyNameUnavailable(tx, input.username, new Date());
    if (unavailable) throw new ActionRefused(unavailable);
    const oneTimePassword = generateOneTimePassword();
    const user = await uniqueName(input.username, async () =>
      insertUserRow(tx, {
        username: input.username,
        passwordHash: await hashPassword(oneTimePassword),
        roles: input.roles,
        mustChangePassword: true,
      }),
    );
    // Shown to the admin once; the audit log's redaction drops any key naming a password.
    return { userId: user.id, username: user.username, roles: user.roles, oneTimePassword };
  },
});

export const inviteUser = defineAction({
  name: 'users.invite_user',
  input: z.object({
    username: usernameSchema,
    roles: rolesSchema,
    /** Where the admin's browser reached the console; used only when CUTOVER_PUBLIC_URL is unset. */
    origin: z
      .url({ protocol: /^https?$/ })
      .max(300)
      .optional(),
  }),
  roles: ['admin'],
  async run({ tx, input, user }) {
    await lockUserAdministration(tx);
    const now = new Date();
    const unavailable = await whyNameUnavailable(tx, input.username, now);
    if (unavailable) throw new ActionRefused(unavailable);
    const invitation = await createInvitation(tx, {
      username: input.username,
      roles: input.roles,
      createdBy: user.id,
      now,
      ttlMs: INVITATION_TTL_MS,
    });
    return {
      invitationId: invitation.id,
      username: input.username,
      roles: input.roles,
      expiresAt: invitation.expiresAt.toISOString(),
      // The key names a token so that the audit log's redaction keeps the usable link out of it.
      linkWithToken: invitationLink(invitation.token, input.origin),
    };
  },
});

export const revokeInvitation = defineAction({
  name: 'users.revoke_invitation',
  input: z.object({ invitationId: z.coerce.number().int().positive() }),
  roles: ['admin'],
  async run({ tx, input }) {
    await lockUserAdministration(tx);
    const [row] = await tx<{ username: string }[]>`
      update cutover.user_invitations set revoked_at = ${new Date()}
       where id = ${input.invitationId} and accepted_at is null and revoked_at is null
       returning username`;
    if (!row)
      throw new ActionRefused(`Invitation #${input.invitationId} is not pending (accepted, revoked or unknown).`);
    return { invitationId: input.invitationId, username: row.username };
  },
});

export const changeUserRoles = defineAction({
  name: 'users.change_roles',
  input: z.object({ username: usernameSchema, roles: rolesSchema }),
  roles: ['admin'],
  async run({ tx, input, user }) {
    await lockUserAdministration(tx);
    const target = await requireUser(tx, input.username);
    // Separation of duties: roles come from someone else, or an admin could make themselves operator and approver.
    if (target.id === user.id) throw new ActionRefused(SELF_ROLES);
    await actAs(tx, user);
    if (!input.roles.includes('admin')) await keepAnAdmin(tx, target);
    await tx`update cutover.users set roles = ${textArrayLiteral(input.roles)}::text[] where id = ${target.id}`;
    return { username: target.username, before: target.roles, after: input.roles };
  },
});

export const disableUser = defineAction({
  name: 'users.disable_user',
  input: z.object({ username: usernameSchema }),
  roles: ['admin'],
  async run({ tx, input, user }) {
    await lockUserAdministration(tx);
    await actAs(tx, user);
    const target = await requireUser(tx, input.username);
    if (target.disabledAt) throw new ActionRefused(`${target.username} is already disabled.`);
    await keepAnAdmin(tx, target);
    const now = new Date();
    await tx`update cutover.users set disabled_at = ${now} where id = ${target.id}`;
    const revoked = await revokeUserAccess(tx, { userId: target.id, now });
    return { username: target.username, revokedSessions: revoked.sessions, revokedApiTokens: revoked.apiTokens };
  },
});

export const enableUser = defineAction({
  name: 'users.enable_user',
  input: z.object({ username: usernameSchema }),
  roles: ['admin'],
  async run({ tx, input, user }) {
    await lockUserAdministration(tx);
    await actAs(tx, user);
    const target = await requireUser(tx, input.username);
    if (!target.disabledAt) throw new ActionRefused(`${target.username} is not disabled.`);
    // Sessions and tokens revoked at disabling stay revoked: the user signs in afresh.
    await tx`update cutover.users set disabled_at = null where id = ${target.id}`;
    return { username: target.username };
  },
});
