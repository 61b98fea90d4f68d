/**
 * Serves a web-standard handler `(Request) → Response` over node:http on 127.0.0.1: how the tests
 * put the command-line API (lib/cli-api/handle-request.ts) on a real port without starting
 * Next.js, so the real CLI process talks real HTTP to the very code the console serves.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface NodeHttpServer {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  close(): Promise<void>;
}

async function toRequest(message: IncomingMessage, origin: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  const method = message.method ?? 'GET';
  const body = method === 'GET' || method === 'HEAD' ? undefined : Buffer.concat(chunks);
  return new Request(new URL(message.url ?? '/', origin), { method, headers, body });
}

export async function serveOverNodeHttp(handler: (request: Request) => Promise<Response>): Promise<NodeHttpServer> {
  let origin = '';
  const server = createServer((message, reply) => {
    void (async () => {
      try {
        const response = await handler(await toRequest(message, origin));
        reply.statusCode = response.status;
        for (const [name, value] of response.headers) reply.setHeader(name, value);
        reply.end(Buffer.from(await response.arrayBuffer()));
      } catch (error) {
        reply.statusCode = 500;
        reply.end(String(error));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
