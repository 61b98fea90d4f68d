/** Reads the signed-in user in server components, route handlers and server actions. */
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { getDatabase } from '../db/connection';
import { sessionCookieName } from './session-cookie';
import { findSessionUser, type SessionUser } from './sessions';

/** The user of the request's session cookie (renewing its idle timeout), or null. */
export async function getCurrentUser(): Promise<SessionUser | null> {
  const token = (await cookies()).get(sessionCookieName())?.value;
  if (!token) return null;
  return findSessionUser(getDatabase().db, { token });
}

/** For pages: sends anonymous visitors, and those whose session ended, to the sign-in page. */
export async function requireUser(): Promise<SessionUser> {
  const user = await getCurrentUser();
  if (!user) redirect('/login');
  return user;
}
