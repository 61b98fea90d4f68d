/**
 * The per-request security headers that proxy.ts adds to every response (docs/architecture.md
 * "Security"); the static ones (nosniff, Referrer-Policy, X-Frame-Options, Permissions-Policy)
 * are in next.config.js. Pure functions, so the policy is tested without a server.
 */

/** A fresh, unguessable nonce for one response (128 random bits, base64). */
export function newNonce(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
}

/**
 * The Content-Security-Policy of one response. Scripts run only with this response's nonce
 * (Next.js reads it from the request's CSP header and puts it on its own scripts), and
 * 'strict-dynamic' lets those load the chunks they import; no inline event handlers, no eval.
 * Styles allow 'unsafe-inline': React renders `style` attributes (progress bars, recharts,
 * the report) and the report's own <style>, and a nonce cannot cover attributes. Images from the
 * console, data: and blob: URLs (recharts, icons). Nothing may frame the console, and forms,
 * fetches and <base> stay on its own origin.
 */
export function contentSecurityPolicy(params: { nonce: string; development: boolean }): string {
  const directives = [
    "default-src 'self'",
    // `next dev` only: React's dev tools rebuild server error stacks with eval (Next.js's CSP guide).
    `script-src 'self' 'nonce-${params.nonce}' 'strict-dynamic'${params.development ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    // 'self' covers `next dev`'s hot-reload WebSocket on the same host and port too (CSP level 3).
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  return directives.join('; ');
}

/** One year of HSTS, sent only when the console is reached over https (never over plain http: browsers ignore it there, and it would be wrong). */
export const STRICT_TRANSPORT_SECURITY = 'max-age=31536000';

/** The headers proxy.ts sets on one response (its nonce goes into the CSP). */
export function perRequestSecurityHeaders(params: {
  nonce: string;
  development: boolean;
  https: boolean;
}): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(params),
    ...(params.https ? { 'Strict-Transport-Security': STRICT_TRANSPORT_SECURITY } : {}),
  };
}
