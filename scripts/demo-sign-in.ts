/**
 * A rehearsal demo user's session for a harness (the benchmark, the system tests), through the same
 * sign-in as the login page, with the cookie the server expects. Sign-ins go one at a time: the
 * throttle counts every attempt before its password is checked, so twenty simultaneous sign-ins of one
 * user from one address would hold each other up past the free three, exactly as they would for twenty
 * people behind one address (lib/auth/sign-in-throttle.ts).
 */
import { signIn } from '../lib/auth/login';
import { sessionCookieName } from '../lib/auth/session-cookie';
import { findSessionUser, type SessionUser } from '../lib/auth/sessions';
import type { Database } from '../lib/db/connection';

let queue: Promise<unknown> = Promise.resolve();

export async function signInDemoUser(
  database: Database,
  username: string,
  options: {
    userAgent: string;
    /** The server's settings: they decide the cookie's name (__Host- prefixed when CUTOVER_PUBLIC_URL is https). */
    serverEnv: Record<string, string | undefined>;
  },
): Promise<{ user: SessionUser; cookie: string }> {
  const turn = queue.then(() =>
    signIn(database, {
      username,
      password: `${username}-rehearsal`,
      ip: '127.0.0.1',
      userAgent: options.userAgent,
    }),
  );
  queue = turn.catch(() => undefined);
  const result = await turn;
  if (result.status !== 'ok') throw new Error(`sign-in as ${username} failed: ${result.message}`);
  const user = await findSessionUser(database.db, { token: result.token });
  if (!user) throw new Error(`no session for ${username}`);
  return { user, cookie: `${sessionCookieName({ ...process.env, ...options.serverEnv })}=${result.token}` };
}
