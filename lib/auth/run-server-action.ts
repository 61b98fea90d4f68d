/** Bridges a server action to the wrapper: the user comes from the session cookie. */
import type { z } from 'zod';
import { getDatabase } from '../db/connection';
import { type ActionResult, type ActionSpec, executeAction } from './action';
import { getCurrentUser } from './current-user';

export async function runServerAction<S extends z.ZodType, T>(
  spec: ActionSpec<S, T>,
  rawInput: unknown,
): Promise<ActionResult<T>> {
  return executeAction(spec, { database: getDatabase(), user: await getCurrentUser(), rawInput });
}
