/**
 * Where the CLI may send its personal API token (issue 20, deliverable 5): over https, or over
 * plain http only to this machine (127.0.0.0/8, ::1, localhost) — a token sent in clear over a
 * network is a token given to whoever listens. `--insecure` sends it anyway, said out loud. Pure:
 * the CLI imports this and nothing that reaches the database (scripts/cutover.test.ts checks).
 */

export type ConsoleUrlCheck = { ok: true; baseUrl: string; warning: string | null } | { ok: false; reason: string };

/** 127.0.0.0/8 as the URL parser writes it (it has already turned 127.1 or 2130706433 into dotted form). */
const IPV4_LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** True for a URL hostname (as `new URL` gives it: lower case, IPv6 in brackets) that names this machine. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || IPV4_LOOPBACK.test(hostname);
}

/** The console's base URL (no trailing slash) if the token may go there, or why not. */
export function checkConsoleUrl(raw: string, options: { insecure: boolean }): ConsoleUrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: `CUTOVER_URL is not a URL: set it to the console's https:// address.` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return { ok: false, reason: `CUTOVER_URL must be an https:// URL (it is ${url.protocol}//…).` };
  if (url.username || url.password)
    return { ok: false, reason: 'CUTOVER_URL must not hold a user name or password: the token is the credential.' };
  const baseUrl = `${url.origin}${url.pathname}`.replace(/\/+$/, '');
  if (url.protocol === 'https:' || isLoopbackHost(url.hostname)) return { ok: true, baseUrl, warning: null };
  if (options.insecure)
    return {
      ok: true,
      baseUrl,
      warning: `--insecure: sending the API token in clear over http to ${url.host}; anyone on the way can use it.`,
    };
  return {
    ok: false,
    reason:
      `Refusing to send the API token to ${url.origin}: plain http over a network carries it in clear. ` +
      'Use the console’s https:// address (plain http is for 127.0.0.1, ::1 and localhost only), ' +
      'or add --insecure to send it anyway.',
  };
}
