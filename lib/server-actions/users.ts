'use server';

import { headers } from 'next/headers';
import { clientAddressFromHeaders } from '@/lib/auth/client-address-header';
import { acceptInvitation } from '@/lib/auth/invitations';
import { runServerAction } from '@/lib/auth/run-server-action';
import {
  addUserWithOneTimePassword,
  changeUserRoles,
  disableUser,
  enableUser,
  inviteUser,
  revokeInvitation,
} from '@/lib/auth/user-admin';
import { changeOwnPassword } from '@/lib/auth/user-admin-password';
import { getDatabase } from '@/lib/db/connection';

/** Adds a user with a one-time password; the answer is the only time the password is shown. */
export async function addUserAction(input: unknown) {
  return runServerAction(addUserWithOneTimePassword, input);
}

/**
 * Creates an invitation link. The origin the admin's browser sent (every server-action POST carries
 * it) is where the link points when CUTOVER_PUBLIC_URL is unset; the client cannot choose it.
 */
export async function inviteUserAction(input: unknown) {
  const list = await headers();
  const origin = list.get('origin') ?? (list.get('host') ? `http://${list.get('host')}` : undefined);
  const fields = input && typeof input === 'object' ? input : {};
  return runServerAction(inviteUser, { ...fields, origin });
}

export async function revokeInvitationAction(input: unknown) {
  return runServerAction(revokeInvitation, input);
}

export async function changeUserRolesAction(input: unknown) {
  return runServerAction(changeUserRoles, input);
}

export async function disableUserAction(input: unknown) {
  return runServerAction(disableUser, input);
}

export async function enableUserAction(input: unknown) {
  return runServerAction(enableUser, input);
}

/** The signed-in user's own password (required after a one-time password). */
export async function changeOwnPasswordAction(input: unknown) {
  return runServerAction(changeOwnPassword, input);
}

/**
 * Accepting an invitation: nobody is signed in; the link's token is the authority. The address (as
 * the front server resolved it, or "unknown") is what the acceptance is throttled and audited by.
 */
export async function acceptInvitationAction(input: unknown) {
  return acceptInvitation(getDatabase(), { rawInput: input, address: clientAddressFromHeaders(await headers()) });
}
