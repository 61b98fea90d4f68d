import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MIDWEEK_NOW } from '../../test-support/test-world';
import { useTestWorld } from '../../test-support/world-database';
import { backoffSeconds, deliverDueAlerts, enqueueAlert, kickAlertDelivery, settleAlertDelivery } from './alert-outbox';

describe('the alert outbox', () => {
  let blackHole: TcpServer;
  const held: Socket[] = [];
  let flaky: Server;
  let flakyAnswers: number[];
  const received: unknown[] = [];

  const test = useTestWorld({ variant: 'production', now: MIDWEEK_NOW, days: 1 });
  beforeAll(async () => {
    // Accepts connections and never answers: a black-holed endpoint.
    blackHole = createTcpServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    flakyAnswers = [500, 200];
    flaky = createHttpServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        const status = flakyAnswers.shift() ?? 200;
        if (status === 200) received.push(JSON.parse(body));
        response.statusCode = status;
        response.end();
      });
    });
    await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const socket of held) socket.destroy();
    blackHole.close();
    flaky.close();
  });

  it('a black-holed webhook does not hold up the runner: its tick completes while the post hangs', async () => {
    const { sql } = test.database;
    const url = `http://127.0.0.1:${(blackHole.address() as AddressInfo).port}/hook`;
    await enqueueAlert(sql, { key: 'test:black-hole', payload: { summary: 'FAIL hour' } });
    kickAlertDelivery(sql, { ALERT_WEBHOOK_URL: url });
    await vi.waitFor(() => expect(held).toHaveLength(1));
    // The runner goes on (simulated workers, bridge, snapshots, runs) while the post is still unanswered.
    for (let i = 0; i < 3; i++) {
      await test.driver.tick();
      test.driver.clock.advance(60_000);
    }
    const [pending] =
      await sql`select delivered_at, attempts from cutover.alert_outbox where dedupe_key = 'test:black-hole'`;
    expect(pending).toEqual({ delivered_at: null, attempts: 1 });
    // The endpoint finally drops the connection: the attempt is recorded and retried later, with backoff.
    for (const socket of held) socket.destroy();
    await settleAlertDelivery();
    const [failed] = await sql<{ last_error: string | null; retry_in: number }[]>`
      select last_error, extract(epoch from next_attempt_at - now()) as retry_in
        from cutover.alert_outbox where dedupe_key = 'test:black-hole'`;
    expect(failed?.last_error).toBeTruthy();
    expect(failed?.retry_in).toBeGreaterThan(20);
    await sql`update cutover.alert_outbox set delivered_at = now() where dedupe_key = 'test:black-hole'`;
  });

  it('posts each cause once, retrying a failed post with a growing backoff', async () => {
    const { sql } = test.database;
    const url = `http://127.0.0.1:${(flaky.address() as AddressInfo).port}/hook`;
    await enqueueAlert(sql, { key: 'snapshot:7', payload: { hour_start: '2026-11-25T10:00:00.000Z' } });
    await enqueueAlert(sql, { key: 'snapshot:7', payload: { hour_start: 'again' } });
    expect(await deliverDueAlerts(sql, { url })).toBe(0);
    const [row] = await sql`select attempts, last_error from cutover.alert_outbox where dedupe_key = 'snapshot:7'`;
    expect(row).toEqual({ attempts: 1, last_error: 'HTTP 500' });
    expect(await deliverDueAlerts(sql, { url })).toBe(0); // not due yet
    await sql`update cutover.alert_outbox set next_attempt_at = now() where dedupe_key = 'snapshot:7'`;
    expect(await deliverDueAlerts(sql, { url })).toBe(1);
    expect(received).toEqual([{ hour_start: '2026-11-25T10:00:00.000Z' }]);
    expect(await deliverDueAlerts(sql, { url })).toBe(0);
    expect([1, 2, 3, 10].map(backoffSeconds)).toEqual([30, 60, 120, 3600]);
  });
});
