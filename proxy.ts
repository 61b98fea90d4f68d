/**
 * Runs before every request (Next.js's Proxy, formerly middleware): a fresh nonce per response,
 * in a Content-Security-Policy that allows only scripts carrying it, and HSTS when the console is
 * reached over https (docs/architecture.md "Security"). Next.js reads the nonce from the
 * *request's* CSP header while it renders and puts it on its own scripts, which is why the header
 * goes on the request as well as on the response, and why every page renders per request.
 * Sessions are not checked here: pages and routes check them themselves.
 */
import { type NextRequest, NextResponse } from 'next/server';
import { servedOverHttps } from './lib/http/public-url';
import { newNonce, perRequestSecurityHeaders } from './lib/http/security-headers';

export function proxy(request: NextRequest): NextResponse {
  const headers = perRequestSecurityHeaders({
    nonce: newNonce(),
    development: process.env.NODE_ENV === 'development',
    https: servedOverHttps(),
  });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('Content-Security-Policy', headers['Content-Security-Policy'] as string);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

// Every response but the build's immutable assets (hashed JS and CSS, which no policy applies to
// and which are fetched by the hundred). Pages, API routes, server actions and public/ files all pass.
export const config = {
  matcher: ['/((?!_next/static/).*)'],
};
