import { ResponseCookies } from 'next/dist/server/web/spec-extension/cookies';
import { describe, expect, it } from 'vitest';
import {
  clearedSessionCookieOptions,
  PLAIN_SESSION_COOKIE,
  SECURE_SESSION_COOKIE,
  sessionCookieName,
  sessionCookieOptions,
} from './session-cookie';

const HTTPS = { CUTOVER_PUBLIC_URL: 'https://cutover.example.com' };
const HTTP = { CUTOVER_PUBLIC_URL: 'http://localhost:3000' };
const expiresAt = new Date('2026-11-26T22:00:00Z');

/** The Set-Cookie header Next.js sends for `cookies().set(name, value, options)`. */
function setCookieHeader(env: Record<string, string>, value: string, options: object): string {
  const headers = new Headers();
  new ResponseCookies(headers).set(sessionCookieName(env), value, options);
  return headers.get('set-cookie') ?? '';
}

describe('session cookie', () => {
  it('is __Host- prefixed and Secure when the console is reached over https', () => {
    expect(sessionCookieName(HTTPS)).toBe(SECURE_SESSION_COOKIE);
    expect(sessionCookieName(HTTPS)).toBe('__Host-cutover_session');
    const header = setCookieHeader(HTTPS, 'token123', sessionCookieOptions({ expiresAt }, HTTPS));
    // Everything a browser demands of a __Host- cookie: Secure, Path=/, no Domain.
    expect(header).toMatch(/^__Host-cutover_session=token123; /);
    expect(header).toContain('Path=/');
    expect(header).toContain('Secure');
    expect(header).toContain('HttpOnly');
    expect(header).toMatch(/SameSite=lax/i);
    expect(header).not.toMatch(/Domain=/i);
    expect(header).toContain(`Expires=${expiresAt.toUTCString()}`);
  });

  it('is a plain cookie without Secure over http or without CUTOVER_PUBLIC_URL (a rehearsal on localhost)', () => {
    for (const env of [HTTP, {}]) {
      expect(sessionCookieName(env)).toBe(PLAIN_SESSION_COOKIE);
      const header = setCookieHeader(env, 'token123', sessionCookieOptions({ expiresAt }, env));
      expect(header).toMatch(/^cutover_session=token123; /);
      expect(header).not.toContain('Secure');
      expect(header).toContain('HttpOnly');
      expect(header).toContain(`Expires=${expiresAt.toUTCString()}`);
    }
  });

  it('takes no part of the request into account: only CUTOVER_PUBLIC_URL decides', () => {
    // The public URL's host does not matter either: https on localhost is still https.
    const localHttps = { CUTOVER_PUBLIC_URL: 'https://localhost:8443' };
    expect(sessionCookieName(localHttps)).toBe(SECURE_SESSION_COOKIE);
    expect(sessionCookieOptions({ expiresAt }, localHttps).secure).toBe(true);
    const publicHttp = { CUTOVER_PUBLIC_URL: 'http://cutover.example.com' };
    expect(sessionCookieName(publicHttp)).toBe(PLAIN_SESSION_COOKIE);
    expect(sessionCookieOptions({ expiresAt }, publicHttp).secure).toBe(false);
  });

  it('clears with the same flags, so the browser accepts the removal of a __Host- cookie', () => {
    const header = setCookieHeader(HTTPS, '', clearedSessionCookieOptions(HTTPS));
    expect(header).toMatch(/^__Host-cutover_session=; /);
    expect(header).toContain('Secure');
    expect(header).toContain('Path=/');
    expect(header).toContain(`Expires=${new Date(0).toUTCString()}`);
  });

  it('refuses a CUTOVER_PUBLIC_URL that is not an http(s) URL instead of guessing', () => {
    expect(() => sessionCookieName({ CUTOVER_PUBLIC_URL: 'cutover.example.com' })).toThrow(/CUTOVER_PUBLIC_URL/);
  });
});
