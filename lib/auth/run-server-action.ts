/**
 * Bridges a server action to the wrapper: the user comes from the session cookie. A user still
 * holding an admin's one-time password may only replace it (lib/auth/user-admin-password.ts).
 */
import { headers } from 'next/headers';
import type { z } from 'zod';
import { getDatabase } from '../db/connection';
import { type ActionResult, type ActionSpec, executeAction } from './action';
import { clientAddressFromHeaders } from './client-address-header';
import { getCurrentUser } from './current-user';
import { refuseUntilPasswordChanged } from './user-admin-password';

export async function runServerAction<S extends z.ZodType, T>(
  spec: ActionSpec<S, T>,
  rawInput: unknown,
): Promise<ActionResult<T>> {
  const database = getDatabase();
  const user = await getCurrentUser();
  // Resolved by the front server from the socket (as sign-in's): refusals are rate-limited per address.
  const address = clientAddressFromHeaders(await headers());
  const refused = await refuseUntilPasswordChanged(database, { specName: spec.name, user, rawInput, address });
  if (refused) return refused;
  return executeAction(spec, { database, user, rawInput, address });
}
