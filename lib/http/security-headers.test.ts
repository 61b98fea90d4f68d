import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, newNonce, perRequestSecurityHeaders } from './security-headers';

/** The CSP as a map of directive → its sources. */
function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(';').map((part) => {
      const [name = '', ...sources] = part.trim().split(/\s+/);
      return [name, sources];
    }),
  );
}

describe('security headers', () => {
  it('makes a fresh, unguessable nonce for every response', () => {
    const nonces = Array.from({ length: 1000 }, () => newNonce());
    expect(new Set(nonces).size).toBe(1000);
    for (const nonce of nonces.slice(0, 20)) expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
  });

  it('allows only scripts carrying the nonce, and nothing may frame the console', () => {
    const csp = directives(contentSecurityPolicy({ nonce: 'abc123==', development: false }));
    expect(csp.get('script-src')).toEqual(["'self'", "'nonce-abc123=='", "'strict-dynamic'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'self'"]);
    expect(csp.get('form-action')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
    expect(csp.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    // No way around the nonce for scripts in production.
    expect(csp.get('script-src')).not.toContain("'unsafe-inline'");
    expect(csp.get('script-src')).not.toContain("'unsafe-eval'");
  });

  it("adds 'unsafe-eval' for `next dev` only", () => {
    const csp = directives(contentSecurityPolicy({ nonce: 'n', development: true }));
    expect(csp.get('script-src')).toEqual(["'self'", "'nonce-n'", "'strict-dynamic'", "'unsafe-eval'"]);
  });

  it('sends HSTS only when the console is reached over https', () => {
    const overHttps = perRequestSecurityHeaders({ nonce: 'n', development: false, https: true });
    expect(overHttps['Strict-Transport-Security']).toBe('max-age=31536000');
    expect(overHttps['Content-Security-Policy']).toContain("'nonce-n'");
    const overHttp = perRequestSecurityHeaders({ nonce: 'n', development: false, https: false });
    expect(overHttp).not.toHaveProperty('Strict-Transport-Security');
    expect(Object.keys(overHttp)).toEqual(['Content-Security-Policy']);
  });
});
