'use server';

import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { recordAudit } from '@/lib/auth/audit';
import { clientAddressFromHeaders } from '@/lib/auth/client-address-header';
import { getCurrentUser } from '@/lib/auth/current-user';
import { SIGN_IN_FAILED, signIn } from '@/lib/auth/login';
import { clearedSessionCookieOptions, sessionCookieName, sessionCookieOptions } from '@/lib/auth/session-cookie';
import { revokeSession } from '@/lib/auth/sessions';
import { getDatabase } from '@/lib/db/connection';

export interface SignInState {
  error: string | null;
  username: string;
}

const signInSchema = z.object({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(256),
});

export async function signInAction(_previous: SignInState, form: FormData): Promise<SignInState> {
  const username = String(form.get('username') ?? '').slice(0, 64);
  const parsed = signInSchema.safeParse({ username: form.get('username'), password: form.get('password') });
  if (!parsed.success) return { error: SIGN_IN_FAILED, username };
  const database = getDatabase();
  const headerList = await headers();
  const result = await signIn(database, {
    username: parsed.data.username,
    password: parsed.data.password,
    // Resolved by the front server from the socket (and trusted proxies only): never X-Forwarded-For as sent.
    ip: clientAddressFromHeaders(headerList),
    userAgent: headerList.get('user-agent') ?? undefined,
  });
  if (result.status !== 'ok') return { error: result.message, username };
  const jar = await cookies();
  // A new session id at every sign-in: whatever cookie came in is revoked (no fixation).
  const previous = jar.get(sessionCookieName())?.value;
  if (previous) await revokeSession(database.db, { token: previous });
  jar.set(sessionCookieName(), result.token, sessionCookieOptions({ expiresAt: result.expiresAt }));
  redirect('/');
}

export async function signOutAction(): Promise<void> {
  const database = getDatabase();
  const jar = await cookies();
  const token = jar.get(sessionCookieName())?.value;
  const user = await getCurrentUser();
  if (token) await revokeSession(database.db, { token });
  jar.set(sessionCookieName(), '', clearedSessionCookieOptions());
  if (user) {
    await recordAudit(database.sql, {
      userId: user.id,
      username: user.username,
      action: 'auth.sign_out',
      outcome: 'ok',
    });
  }
  redirect('/login');
}
