/**
 * The real CLI process against stand-in consoles (no database): it sends its token only over
 * https or to this machine unless --insecure, and what it prints of a console's answers is
 * printable and bounded — a hostile or compromised console cannot drive the operator's terminal.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveOverNodeHttp } from '../lib/cli-api/serve-node-http';
import { cliEnvironment, runCli } from '../test-support/cli-console';

const TOKEN = `dxyc_${'t'.repeat(43)}`;
const ESC = '\u001b';

/** Characters a terminal acts on (escapes, CR, C1, bidi overrides), found without a control-character regex. */
function unprintable(text: string): string[] {
  return [...text].filter((c) => {
    const code = c.codePointAt(0) ?? 0;
    if (c === '\n' || c === '\t') return false;
    return code < 0x20 || (code >= 0x7f && code <= 0x9f) || (code >= 0x202a && code <= 0x202e);
  });
}

/** This machine's address on a network interface (not loopback), where a stand-in console can listen. */
function externalAddress(): string | null {
  for (const addresses of Object.values(networkInterfaces())) {
    const found = addresses?.find((a) => a.family === 'IPv4' && !a.internal);
    if (found) return found.address;
  }
  return null;
}

// Each CLI call starts node and tsx (seconds on a busy two-core machine).
describe('the cutover CLI and the console it talks to', { timeout: 120_000 }, () => {
  describe('sends its token only over https or to this machine', () => {
    const address = externalAddress();
    const seen: { authorization: string | undefined; url: string | undefined }[] = [];
    let server: Server;
    let url: string;

    beforeAll(async () => {
      server = createServer((request: IncomingMessage, reply) => {
        seen.push({ authorization: request.headers.authorization, url: request.url });
        reply.setHeader('content-type', 'application/json');
        reply.end(
          JSON.stringify({
            username: 'someone',
            roles: ['viewer'],
            token: { name: 'x', prefix: 'dxyc_x', expiresAt: 'never' },
          }),
        );
      });
      // On this machine's network address when it has one: plain http to it is plain http over a network.
      await new Promise<void>((resolve) => server.listen(0, address ?? '127.0.0.1', resolve));
      url = `http://${address ?? 'cutover.invalid'}:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      server?.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
    });

    it('refuses plain http to another host, saying why and what to do, and sends nothing', async () => {
      const refused = await runCli(['whoami'], cliEnvironment({ CUTOVER_URL: url, CUTOVER_TOKEN: TOKEN }));
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toContain('Refusing to send the API token');
      expect(refused.stderr).toContain('https://');
      expect(refused.stderr).toContain('--insecure');
      expect(seen).toEqual([]);
    });

    it.skipIf(address === null)('sends it anyway with --insecure, and says so', async () => {
      const sent = await runCli(['whoami', '--insecure'], cliEnvironment({ CUTOVER_URL: url, CUTOVER_TOKEN: TOKEN }));
      expect(sent.code, sent.stderr).toBe(0);
      expect(sent.stderr).toContain('--insecure: sending the API token in clear');
      expect(seen).toEqual([{ authorization: `Bearer ${TOKEN}`, url: '/api/cli/whoami' }]);
    });
  });

  describe('prints what a console answers only as printable, bounded text', () => {
    const hostile =
      `${ESC}]0;you have been owned${ESC}\\${ESC}[2J${ESC}[1;1H${ESC}[31mred${ESC}[0m over\rwritten ` +
      `\u009b31m \u202etxt.exe ${'flood '.repeat(20_000)}`;
    let console_: { url: string; close(): Promise<void> };

    beforeAll(async () => {
      console_ = await serveOverNodeHttp(async (request) => {
        const path = new URL(request.url).pathname;
        if (path === '/api/cli/pause') return Response.json({ status: 'refused', reason: hostile }, { status: 403 });
        return Response.json({ error: hostile }, { status: 401 });
      });
    });
    afterAll(async () => {
      await console_?.close();
    });

    const cli = (args: string[]) => runCli(args, cliEnvironment({ CUTOVER_URL: console_.url, CUTOVER_TOKEN: TOKEN }));

    it('an error message', async () => {
      const result = await cli(['status']);
      expect(result.code).toBe(3);
      expect(result.stderr).toContain('red');
      expect(unprintable(result.stderr)).toEqual([]);
      expect(result.stderr).not.toContain('you have been owned');
      expect(result.stderr.length).toBeLessThan(5_000);
      expect(result.stderr).toMatch(/more characters not shown/);
    });

    it('a refusal’s reason, as text and as JSON', async () => {
      const text = await cli(['pause']);
      expect(text.code).toBe(3);
      expect(text.stdout).toMatch(/^refused: /);
      expect(unprintable(text.stdout)).toEqual([]);
      expect(text.stdout.length).toBeLessThan(5_000);
      const json = await cli(['pause', '--json']);
      expect(json.code).toBe(3);
      expect(unprintable(json.stdout)).toEqual([]);
      // The same value, escaped: a program reading the JSON gets exactly what the console sent.
      expect(JSON.parse(json.stdout)).toEqual({ status: 'refused', reason: hostile });
    });
  });
});
