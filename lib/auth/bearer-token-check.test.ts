/**
 * Failed bearer tokens on the command line's API are throttled per client address and audited in
 * aggregate (issue 20, deliverable 4): through the real request handler, with the address the
 * front server would have stamped.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { renderRunReportHtml } from '../../components/report-html';
import { useTestDatabase } from '../../test-support/world-database';
import { handleCliApiRequest } from '../cli-api/handle-request';
import { CLI_API_BASE } from '../cli-api/protocol';
import { executeAction } from './action';
import { createApiToken } from './api-tokens';
import { BEARER_AUDIT_ACTION, BEARER_TOKEN_BUCKET, blockedBearerRows } from './bearer-token-check';
import { REFUSAL_AUDIT_BUCKET } from './refusal-audit';
import { createUser } from './users';

const FLOODER = '198.51.100.31';
const OFFICE = '192.0.2.31';

describe('bearer tokens on the command line’s API', () => {
  const test = useTestDatabase();
  let token = '';

  beforeAll(async () => {
    const user = await createUser(test.database.db, { username: 'cli', password: 'cli-password-1', roles: ['viewer'] });
    // The password is asked again where token creation requires it (and ignored where it does not).
    const created = await executeAction(createApiToken, {
      database: test.database,
      user: { id: user.id, username: 'cli', roles: ['viewer'], sessionId: 'test-cli' },
      rawInput: { name: 'cli', expiresInDays: 1, password: 'cli-password-1' },
    });
    if (created.status !== 'ok') throw new Error(`token: ${JSON.stringify(created)}`);
    token = created.data.token;
  });

  const whoami = (bearer: string, address: string) =>
    handleCliApiRequest(
      new Request(`http://127.0.0.1${CLI_API_BASE}/whoami`, { headers: { authorization: `Bearer ${bearer}` } }),
      { database: test.database, renderReportHtml: renderRunReportHtml, clientAddress: () => address },
    );
  const auditRows = (address: string) =>
    test.database.sql<{ inputs: unknown; detail: Record<string, unknown> }[]>`
      select inputs, detail from cutover.audit_events
       where action = ${BEARER_AUDIT_ACTION} and detail->>'address' = ${address} order by id`;

  it('refuses a flood of bad tokens from one address with 429 after the free ones, in a bounded number of audit rows', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 120; i++) {
      const response = await whoami(`dxyc_guess${i}${'g'.repeat(40)}`, FLOODER);
      statuses.push(response.status);
      if (response.status === 429) expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // The free failures and the one that starts the block are checked (401); then refused unchecked (429) —
    // the block is real time (2 s, then 4 s, …): a slow run may see one more checked after each wait.
    const checked = BEARER_TOKEN_BUCKET.freePerAddress + 1;
    expect(statuses.slice(0, checked).every((status) => status === 401)).toBe(true);
    expect(statuses[checked]).toBe(429);
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(checked + 3);

    const rows = await auditRows(FLOODER);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThanOrEqual(REFUSAL_AUDIT_BUCKET.freePerKey + 1 + 3);
    expect(rows[0]).toMatchObject({
      inputs: {},
      detail: {
        address: FLOODER,
        reason: 'bearer token refused: unknown',
        sizes: { bytes: 'dxyc_guess0'.length + 40 },
      },
    });
    expect(JSON.stringify(rows)).not.toContain('dxyc_guess');
    // Every refusal is on record: a row, a count a later row carries, or a count still to be written.
    const carried = rows.flatMap((row) => (row.detail.aggregated ?? []) as { scope: string; refused: number }[]);
    const [counted] = await test.database.sql<{ n: number }[]>`
      select coalesce(sum(throttled_attempts), 0)::int as n from cutover.sign_in_throttle
       where bucket = ${REFUSAL_AUDIT_BUCKET.name} and address = ${FLOODER} and username = ${BEARER_AUDIT_ACTION}`;
    const carriedForAction = carried.filter((c) => c.scope === 'action and address').reduce((n, c) => n + c.refused, 0);
    expect(rows.length + carriedForAction + (counted?.n ?? 0)).toBe(120);
  });

  it('still answers a valid token from another address during the flood, without writing anything', async () => {
    const before = await test.database.sql<{ n: number }[]>`
      select count(*)::int as n from cutover.sign_in_throttle where address = ${OFFICE}`;
    const response = await whoami(token, OFFICE);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { username: string }).username).toBe('cli');
    expect(
      await test.database.sql`select count(*)::int as n from cutover.sign_in_throttle where address = ${OFFICE}`,
    ).toEqual(before);
  });

  it('does not look up even a valid token from an address while it is blocked', async () => {
    expect((await whoami(token, FLOODER)).status).toBe(429);
  });

  it('reads whether an address is blocked by the throttle’s full key, not by scanning the bucket', async () => {
    const plan = await test.database.sql.begin(async (tx) => {
      // However few rows the test has: the plan an index lookup would get on a big bucket.
      await tx`set local enable_seqscan = off`;
      const rows = await tx<{ 'QUERY PLAN': string }[]>`
        explain ${blockedBearerRows(tx, { address: FLOODER, now: new Date() })}`;
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    });
    // Each lookup by the whole key, on PostgreSQL 15 as on 17 (an IN list on username stayed out of 15's).
    const conditions = plan.split('\n').filter((line) => line.includes('Index Cond'));
    expect(conditions, plan).toHaveLength(2);
    for (const condition of conditions) {
      expect(condition, plan).toMatch(/bucket/);
      expect(condition, plan).toMatch(/username/);
      expect(condition, plan).toMatch(/address/);
    }
    expect(plan).not.toMatch(/Filter: .*username/);
  });
});
