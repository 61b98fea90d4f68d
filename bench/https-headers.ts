/**
 * The headers of a console reached over https (CUTOVER_PUBLIC_URL=https://…), checked on the real
 * built server: HSTS and the nonce CSP on every response. A second `next start` of the same build,
 * without a database (the sign-in page and the health route answer without one), so it costs
 * seconds; TLS itself is the reverse proxy's job, so plain http to the server is what it sees.
 */
import { spawn } from 'node:child_process';
import { STRICT_TRANSPORT_SECURITY } from '../lib/http/security-headers';
import { stopProcess } from '../scripts/console-process';
import { NEXT_BIN } from '../scripts/next-server';
import type { AccessRow } from './access-row';

const PORT = 3313;

/** GET until the server answers at all (the health route says 503 without a database: that is an answer). */
async function firstAnswer(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await (await fetch(url)).arrayBuffer();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }
  throw new Error(`the https-configured console did not answer on ${url}`);
}

export async function checkHttpsHeaders(): Promise<AccessRow[]> {
  const output: string[] = [];
  const server = spawn(process.execPath, [NEXT_BIN, 'start', '--port', String(PORT), '--hostname', '127.0.0.1'], {
    env: {
      ...process.env,
      CUTOVER_PUBLIC_URL: 'https://cutover.example.com',
      DATABASE_URL: '',
      CUTOVER_RUNNER: 'off',
      NEXT_TELEMETRY_DISABLED: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  server.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const rows: AccessRow[] = [];
  try {
    const base = `http://127.0.0.1:${PORT}`;
    await firstAnswer(`${base}/login`, 60_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${output.join('')}`);
    });
    for (const path of ['/login', '/api/health', '/favicon.ico']) {
      const response = await fetch(`${base}${path}`, { redirect: 'manual' });
      await response.arrayBuffer();
      const hsts = response.headers.get('strict-transport-security');
      const nonce = /script-src [^;]*'nonce-[^']+'/.test(response.headers.get('content-security-policy') ?? '');
      rows.push({
        path: `${path} (CUTOVER_PUBLIC_URL https)`,
        who: 'anonymous',
        expected: `HSTS ${STRICT_TRANSPORT_SECURITY}, CSP nonce`,
        got: `HSTS ${hsts ?? 'absent'}${nonce ? ', CSP nonce' : ', no CSP nonce'}`,
      });
    }
  } finally {
    await stopProcess(server);
  }
  return rows;
}
