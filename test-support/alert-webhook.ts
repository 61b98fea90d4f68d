/**
 * A local webhook receiver for the console's alerts: ALERT_WEBHOOK_URL points at it for the
 * tests of a describe block, and every body it is posted is kept, parsed, in order.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

/**
 * Registers the hooks that start the receiver before the block's tests and stop it after them,
 * putting back the ALERT_WEBHOOK_URL there was; returns the list the posted bodies are added to.
 */
export function useAlertWebhook<Body = Record<string, unknown>>(): Body[] {
  const posted: Body[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      posted.push(JSON.parse(body) as Body);
      response.end('ok');
    });
  });
  let previousUrl: string | undefined;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    previousUrl = process.env.ALERT_WEBHOOK_URL;
    process.env.ALERT_WEBHOOK_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alert`;
  });
  afterAll(async () => {
    if (previousUrl === undefined) delete process.env.ALERT_WEBHOOK_URL;
    else process.env.ALERT_WEBHOOK_URL = previousUrl;
    await new Promise((resolve) => server.close(resolve));
  });
  return posted;
}
