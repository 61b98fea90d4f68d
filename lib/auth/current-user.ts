/** Reads the signed-in user in server components, route handlers and server actions. */
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { getDatabase } from '../db/connection';
import { SESSION_COOKIE } from './session-cookie';
import { findSessionUser, type SessionUser } from './sessions';

export async function getCurrentUser(): Promise<SessionUser | null> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!token) return null;
  return findSessionUser(getDatabase().db, { token });
}

/** For pages: sends anonymous visitors to the sign-in page. */
export async function requireUser(): Promise<SessionUser> {
  const user = await getCurrentUser();
  if (!user) redirect('/login');
  return user;
}
