'use server';

import { createApiToken, revokeApiToken } from '@/lib/auth/api-tokens';
import { runServerAction } from '@/lib/auth/run-server-action';

/** Creates a personal API token for the signed-in user; the answer is the only time the token is shown. */
export async function createTokenAction(input: unknown) {
  return runServerAction(createApiToken, input);
}

/** Revokes one of the signed-in user's tokens (an admin: anyone's). */
export async function revokeTokenAction(input: unknown) {
  return runServerAction(revokeApiToken, input);
}
