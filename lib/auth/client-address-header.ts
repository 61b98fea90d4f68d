/**
 * How the client's address travels from the front server (scripts/serve.ts) to the app: the
 * front server resolves it from the socket (and, per CUTOVER_TRUSTED_PROXIES, X-Forwarded-For),
 * deletes every copy of our header the client sent, and sets its own. The app reads the address
 * from that header only, and only when the front server runs in this process
 * (docs/architecture.md "Security").
 *
 * Why a mark in this process rather than a shared secret in a second header: Next's request
 * handler runs inside the front server's process and receives nothing that did not pass the front
 * server's listener, so once the mark is set every copy of the header is ours. A secret would
 * have to travel in request headers, where it can end up in logs or error reports; the mark never
 * leaves the process. Without the mark (someone ran `next start` directly) the header is the
 * client's own and is ignored: the address is "unknown".
 */
import type { IncomingMessage } from 'node:http';
import { resolveClientAddress, type TrustedProxies, UNKNOWN_ADDRESS } from './client-address';

export const CLIENT_ADDRESS_HEADER = 'x-cutover-client-address';

const FRONT_SERVER_MARK = Symbol.for('dxy-cutover.front-server');
type Marked = typeof globalThis & { [FRONT_SERVER_MARK]?: true };

/** Called once by the front server before Next is prepared. */
export function markFrontServer(): void {
  (globalThis as Marked)[FRONT_SERVER_MARK] = true;
}

export function isBehindFrontServer(): boolean {
  return (globalThis as Marked)[FRONT_SERVER_MARK] === true;
}

/**
 * Front server, every request (and upgrade): replaces whatever the client sent in our header with
 * the resolved address. `rawHeaders` is cleaned too, for code that reads the raw list.
 */
export function stampClientAddress(req: IncomingMessage, trust: TrustedProxies): string {
  const address = resolveClientAddress({
    socketAddress: req.socket.remoteAddress,
    forwardedFor: req.headers['x-forwarded-for'],
    trust,
  });
  for (let index = req.rawHeaders.length - 2; index >= 0; index -= 2) {
    if (req.rawHeaders[index]?.toLowerCase() === CLIENT_ADDRESS_HEADER) req.rawHeaders.splice(index, 2);
  }
  req.rawHeaders.push(CLIENT_ADDRESS_HEADER, address);
  req.headers[CLIENT_ADDRESS_HEADER] = address;
  return address;
}

let warnedUnmarked = false;

/** App side: the resolved client address of a request, or "unknown" when no front server stamped it. */
export function clientAddressFromHeaders(headers: { get(name: string): string | null }): string {
  if (!isBehindFrontServer()) {
    if (!warnedUnmarked) {
      warnedUnmarked = true;
      console.warn(
        '[dxy-cutover] This server was started without its front server (scripts/serve.ts, which `npm start` runs): ' +
          'client addresses are unknown, and the sign-in throttle counts every client as one.',
      );
    }
    return UNKNOWN_ADDRESS;
  }
  return headers.get(CLIENT_ADDRESS_HEADER) ?? UNKNOWN_ADDRESS;
}
