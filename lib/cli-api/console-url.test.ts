import { describe, expect, it } from 'vitest';
import { checkConsoleUrl, isLoopbackHost } from './console-url';

describe('where the CLI may send its token', () => {
  const check = (url: string, insecure = false) => checkConsoleUrl(url, { insecure });

  it('takes https anywhere, and plain http to this machine only', () => {
    expect(check('https://cutover.example.com/')).toEqual({
      ok: true,
      baseUrl: 'https://cutover.example.com',
      warning: null,
    });
    expect(check('https://cutover.example.com/console/')).toMatchObject({
      ok: true,
      baseUrl: 'https://cutover.example.com/console',
    });
    for (const loopback of [
      'http://127.0.0.1:3000',
      'http://127.255.255.254',
      'http://127.1:3000', // the URL parser writes it 127.0.0.1
      'http://[::1]:3000/',
      'http://localhost:3000',
      'http://LOCALHOST:3000',
    ])
      expect(check(loopback), loopback).toMatchObject({ ok: true, warning: null });
  });

  it('refuses plain http to any other host, clearly, unless --insecure (which warns)', () => {
    for (const remote of [
      'http://cutover.example.com',
      'http://192.0.2.2:3000',
      'http://10.0.0.1',
      'http://[fd00::2]:3000',
      'http://127.0.0.1.example.com', // a name that starts like loopback is not loopback
      'http://localhost.example.com',
      'http://128.0.0.1',
    ]) {
      const refused = check(remote);
      expect(refused, remote).toMatchObject({
        ok: false,
        reason: expect.stringContaining('Refusing to send the API token'),
      });
      expect(refused.ok ? '' : refused.reason).toContain('--insecure');
      expect(check(remote, true), remote).toMatchObject({
        ok: true,
        warning: expect.stringContaining('in clear'),
      });
    }
  });

  it('refuses what is not an http(s) URL, and credentials in it', () => {
    expect(check('cutover.example.com')).toMatchObject({ ok: false, reason: expect.stringContaining('not a URL') });
    expect(check('ftp://cutover.example.com')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('https://'),
    });
    expect(check('file:///etc/passwd', true)).toMatchObject({ ok: false });
    expect(check('https://user:secret@cutover.example.com')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('user name or password'),
    });
  });

  it('knows loopback hosts as the URL parser writes them', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(false);
    expect(isLoopbackHost('127.0.0.1.nip.io')).toBe(false);
    expect(isLoopbackHost('[::ffff:7f00:1]')).toBe(false);
  });
});
