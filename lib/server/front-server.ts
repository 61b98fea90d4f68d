/**
 * The console's HTTP server: a plain Node server with Next.js inside, in one process
 * (docs/architecture.md "Security"). It exists for one reason: `next start` gives the app no way
 * to see the socket's address and passes the client's own X-Forwarded-For through, so the sign-in
 * throttle, the audit log and the sessions table would record whatever a client claims. Here
 * every request and upgrade is stamped with the address resolved from the socket (and, per
 * CUTOVER_TRUSTED_PROXIES, the proxies' X-Forwarded-For) before Next.js sees it.
 */
import { createServer, type Server } from 'node:http';
import { parseTrustedProxies, type TrustedProxies, TrustedProxiesError } from '../auth/client-address';
import { markFrontServer, stampClientAddress } from '../auth/client-address-header';
import { readSetting } from '../settings';

/** CUTOVER_TRUSTED_PROXIES, parsed strictly; a bad value stops the start with the offending part (exit code 2). */
export function readTrustedProxiesOrExit(tool: string): TrustedProxies {
  try {
    return parseTrustedProxies(readSetting('CUTOVER_TRUSTED_PROXIES'));
  } catch (error) {
    if (!(error instanceof TrustedProxiesError)) throw error;
    console.error(`[${tool}] refusing to start: CUTOVER_TRUSTED_PROXIES: ${error.message}.`);
    process.exit(2);
  }
}

export function describeTrust(trust: TrustedProxies): string {
  if (trust.kind === 'none') return 'client addresses: the socket address (no trusted proxies)';
  if (trust.kind === 'count') return `client addresses: X-Forwarded-For through the nearest ${trust.hops} proxy hop(s)`;
  return `client addresses: X-Forwarded-For from proxies in ${trust.ranges.map((range) => range.text).join(', ')}`;
}

export interface FrontServer {
  server: Server;
  /** Stops accepting, lets requests in flight finish (at most `graceMs`), then closes Next.js. */
  close(graceMs: number): Promise<void>;
}

export async function startFrontServer(options: {
  /** The project directory (where .next/ and next.config.js are). */
  dir: string;
  dev: boolean;
  hostname: string;
  port: number;
  trust: TrustedProxies;
  log: (line: string) => void;
}): Promise<FrontServer> {
  // Before Next.js loads anything: the app trusts our header only in a process that has this mark.
  markFrontServer();
  // React and Next.js pick their production or development build from NODE_ENV, as `next start` sets it.
  Object.assign(process.env, { NODE_ENV: options.dev ? 'development' : 'production' });
  const { default: next } = await import('next');
  const server = createServer();
  const app = next({
    dir: options.dir,
    dev: options.dev,
    hostname: options.hostname,
    port: options.port,
    httpServer: server,
  });
  await app.prepare();
  const handle = app.getRequestHandler();

  server.on('request', (req, res) => {
    stampClientAddress(req, options.trust);
    handle(req, res).catch((error: unknown) => {
      console.error('[dxy-cutover] request failed:', error);
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  });
  // Registered before Next.js adds its own upgrade listener (at the first request): ours runs
  // first, so development's hot-reload socket is stamped like any request. Until Next.js has
  // one, nobody would answer an upgrade: close it rather than leave it hanging.
  server.on('upgrade', (req, socket) => {
    stampClientAddress(req, options.trust);
    if (server.listenerCount('upgrade') === 1) socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.hostname, () => {
      server.off('error', reject);
      resolve();
    });
  });
  options.log(`Listening on http://${options.hostname}:${options.port} (${describeTrust(options.trust)}).`);

  return {
    server,
    async close(graceMs) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
      await app.close();
    },
  };
}
