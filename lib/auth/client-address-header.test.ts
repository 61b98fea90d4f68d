import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTrustedProxies, type TrustedProxies } from './client-address';
import {
  CLIENT_ADDRESS_HEADER,
  clientAddressFromHeaders,
  isBehindFrontServer,
  markFrontServer,
  stampClientAddress,
} from './client-address-header';

/**
 * A real HTTP server stamping requests the way scripts/serve.ts does, and real connections from
 * two loopback addresses (127.0.0.1 and 127.0.0.2 are both this machine on Linux), so the socket
 * address the server sees is genuinely different.
 */
describe('client address header: what the front server hands the app', () => {
  let server: Server;
  let port: number;
  let trust: TrustedProxies = { kind: 'none' };

  beforeAll(async () => {
    server = createServer((req, res) => {
      stampClientAddress(req, trust);
      const seen = req.rawHeaders.filter(
        (_, i) => i % 2 === 0 && req.rawHeaders[i]?.toLowerCase() === CLIENT_ADDRESS_HEADER,
      );
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ header: req.headers[CLIENT_ADDRESS_HEADER], rawCopies: seen.length }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const get = (localAddress: string, headers: Record<string, string | string[]>) =>
    new Promise<{ header: string; rawCopies: number }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/', localAddress, headers }, (res) => {
        let body = '';
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => resolve(JSON.parse(body)));
      });
      req.on('error', reject);
      req.end();
    });

  it('replaces every copy the client sent with the socket address when no proxy is trusted', async () => {
    trust = { kind: 'none' };
    const answer = await get('127.0.0.2', {
      'X-Forwarded-For': '203.0.113.7',
      'X-Cutover-Client-Address': ['198.51.100.1', '198.51.100.2'],
    });
    expect(answer).toEqual({ header: '127.0.0.2', rawCopies: 1 });
    expect(await get('127.0.0.1', { 'X-Forwarded-For': '203.0.113.8' })).toEqual({ header: '127.0.0.1', rawCopies: 1 });
  });

  it('takes X-Forwarded-For from a trusted proxy only', async () => {
    trust = parseTrustedProxies('127.0.0.2');
    expect((await get('127.0.0.2', { 'X-Forwarded-For': '6.6.6.6, 203.0.113.7' })).header).toBe('203.0.113.7');
    expect((await get('127.0.0.1', { 'X-Forwarded-For': '6.6.6.6, 203.0.113.7' })).header).toBe('127.0.0.1');
    trust = parseTrustedProxies('1');
    expect((await get('127.0.0.1', { 'X-Forwarded-For': '6.6.6.6, 203.0.113.7' })).header).toBe('203.0.113.7');
  });

  it('the app trusts the header only when the front server runs in its process', () => {
    const headers = new Headers({ [CLIENT_ADDRESS_HEADER]: '198.51.100.1' });
    expect(isBehindFrontServer()).toBe(false);
    // `next start` on its own: the header is whatever the client sent.
    expect(clientAddressFromHeaders(headers)).toBe('unknown');
    markFrontServer();
    expect(clientAddressFromHeaders(headers)).toBe('198.51.100.1');
    expect(clientAddressFromHeaders(new Headers())).toBe('unknown');
  });
});
