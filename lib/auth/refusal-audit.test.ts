import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test-support/world-database';
import {
  ALL_ADDRESSES,
  auditRefusal,
  flushRefusalCounts,
  measureInput,
  REFUSAL_AUDIT_ALL_BUCKET,
  REFUSAL_AUDIT_BUCKET,
  REFUSAL_SUMMARY_ACTION,
} from './refusal-audit';

const FLOODER = '198.51.100.77';
const BASE = new Date('2026-11-25T10:00:00Z');
const at = (seconds: number) => new Date(BASE.getTime() + seconds * 1000);

describe('auditRefusal', () => {
  const test = useTestDatabase();
  const rowsOf = (action: string) =>
    test.database.sql<{ outcome: string; inputs: Record<string, unknown>; detail: Record<string, unknown> }[]>`
      select outcome, inputs, detail from cutover.audit_events where action = ${action} order by id`;

  it('measures input without keeping it, and stops walking a hostile input at its budget', () => {
    expect(measureInput({ text: 'héllo', n: 1 })).toEqual({ bytes: 6 + 4 + 1 + 8, keys: 2, values: 3 });
    const wide = Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`k${i}`, i]));
    expect(measureInput(wide)).toMatchObject({ keys: 200_000, truncated: 1 });
  });

  it('writes metadata only: reason, address and sizes, never the input', async () => {
    const secret = 'x'.repeat(200_000);
    await auditRefusal(
      test.database.sql,
      { action: 'test.metadata', reason: 'Not signed in.', address: '192.0.2.1', sizes: measureInput({ secret }) },
      BASE,
    );
    const [row] = await rowsOf('test.metadata');
    expect(row).toMatchObject({
      outcome: 'refused',
      inputs: {},
      detail: { reason: 'Not signed in.', address: '192.0.2.1', sizes: { bytes: 200_006, keys: 1, values: 2 } },
    });
    expect(JSON.stringify(row)).not.toContain('xxxx');
  });

  it('writes the first refusals of an address a row each, then counts them and a later row carries the count', async () => {
    const { sql } = test.database;
    for (let i = 0; i < 100; i++) {
      await auditRefusal(sql, { action: 'test.flood', reason: 'Not signed in.', address: FLOODER }, at(0));
    }
    // The free ones, and the one that starts the block (as the sign-in throttle: it is still let through).
    const admitted = REFUSAL_AUDIT_BUCKET.freePerKey + 1;
    const written = await rowsOf('test.flood');
    expect(written.length).toBe(admitted);
    const [counter] = await sql<{ n: number }[]>`
      select sum(throttled_attempts)::int as n from cutover.sign_in_throttle
       where bucket = ${REFUSAL_AUDIT_BUCKET.name} and address = ${FLOODER} and username = 'test.flood'`;
    expect(counter?.n).toBe(100 - admitted);

    // After the wait, the next refusal is a row again and says how many were counted meanwhile.
    await auditRefusal(sql, { action: 'test.flood', reason: 'Not signed in.', address: FLOODER }, at(3600));
    const after = await rowsOf('test.flood');
    expect(after.length).toBe(admitted + 1);
    expect(after.at(-1)?.detail.aggregated).toEqual([
      { scope: 'action and address', refused: 100 - admitted, until: expect.any(String) },
    ]);
  });

  it('writes counts nobody carried as one summary row per address once their blocked period is over', async () => {
    const { sql } = test.database;
    const quiet = '203.0.113.9';
    for (let i = 0; i < 15; i++) {
      await auditRefusal(sql, { action: 'test.quiet', reason: 'bad token', address: quiet }, at(0));
    }
    expect(await flushRefusalCounts(sql, { now: at(1) })).toBe(0);
    const summaries = async () =>
      (await rowsOf(REFUSAL_SUMMARY_ACTION)).filter((row) => row.detail.address === quiet).map((row) => row.detail);
    expect(await summaries()).toEqual([]);
    expect(await flushRefusalCounts(sql, { now: at(3600) })).toBeGreaterThan(0);
    expect(await summaries()).toEqual([
      {
        address: quiet,
        counted: [
          { action: 'test.quiet', refused: 15 - REFUSAL_AUDIT_BUCKET.freePerKey - 1, until: expect.any(String) },
        ],
      },
    ]);
    // Counted once: a second flush finds nothing of this address.
    await flushRefusalCounts(sql, { now: at(3601) });
    expect(await summaries()).toHaveLength(1);
  });

  it('has a ceiling across all addresses: past it, refusals from fresh addresses are counted on one row', async () => {
    const { sql } = test.database;
    const when = at(7_200);
    // As if the log had had its day's allowance of refusal rows already.
    await sql`
      insert into cutover.sign_in_throttle (bucket, username, address, failures, last_failure_at)
      values (${REFUSAL_AUDIT_ALL_BUCKET.name}, 'refusals', ${ALL_ADDRESSES}, ${REFUSAL_AUDIT_ALL_BUCKET.freePerKey}, ${when})
      on conflict (bucket, username, address) do update set
        failures = excluded.failures, last_failure_at = excluded.last_failure_at, blocked_until = null, throttled_attempts = 0`;
    const fresh = (i: number) => `203.0.113.${100 + i}`;
    // The one that reaches the ceiling is written and starts its block; the next 50 are counted there.
    for (let i = 0; i <= 50; i++) {
      await auditRefusal(sql, { action: 'test.botnet', reason: 'Not signed in.', address: fresh(i) }, when);
    }
    expect(await rowsOf('test.botnet')).toHaveLength(1);
    const [ceiling] = await sql<{ n: number }[]>`
      select throttled_attempts as n from cutover.sign_in_throttle
       where bucket = ${REFUSAL_AUDIT_ALL_BUCKET.name} and username = 'refusals'`;
    expect(ceiling?.n).toBe(50);
    // After the block, the next row carries the count.
    await auditRefusal(sql, { action: 'test.botnet', reason: 'Not signed in.', address: fresh(60) }, at(10_800));
    expect((await rowsOf('test.botnet')).at(-1)?.detail.aggregated).toEqual([
      { scope: 'all addresses', refused: 50, until: expect.any(String) },
    ]);
    // The ceiling is shared by every test of this file's database: lifted again.
    await sql`delete from cutover.sign_in_throttle where bucket = ${REFUSAL_AUDIT_ALL_BUCKET.name}`;
  });

  it('writes a signed-in user’s refusals past the ceiling, counted per user whatever the address', async () => {
    const { sql } = test.database;
    const when = at(20_000);
    // An anonymous flood has used up the ceiling and blocks it.
    await sql`
      insert into cutover.sign_in_throttle (bucket, username, address, failures, last_failure_at, blocked_until)
      values (${REFUSAL_AUDIT_ALL_BUCKET.name}, 'refusals', ${ALL_ADDRESSES}, ${REFUSAL_AUDIT_ALL_BUCKET.freePerKey + 5},
              ${when}, ${at(21_000)})
      on conflict (bucket, username, address) do update set failures = excluded.failures,
        last_failure_at = excluded.last_failure_at, blocked_until = excluded.blocked_until, throttled_attempts = 0`;
    await auditRefusal(sql, { action: 'test.member', reason: 'Not signed in.', address: '203.0.113.200' }, when);
    expect(await rowsOf('test.member')).toHaveLength(0);
    // A signed-in user is still on record, by name, from every address.
    const refuse = (i: number, seconds = 0) =>
      auditRefusal(
        sql,
        { action: 'test.member', reason: 'Requires role admin.', address: `192.0.2.${i}`, userId: 7, username: 'vera' },
        at(20_000 + seconds),
      );
    for (let i = 0; i < 30; i++) await refuse(i);
    const written = await sql<{ username: string | null }[]>`
      select username from cutover.audit_events where action = 'test.member' order by id`;
    expect(written.map((row) => row.username)).toEqual(Array(REFUSAL_AUDIT_BUCKET.freePerKey + 1).fill('vera'));
    // Beyond the user's allowance: counted on the user's row, and the next row after the wait carries it.
    await refuse(99, 3_600);
    expect((await rowsOf('test.member')).at(-1)?.detail.aggregated).toEqual([
      { scope: 'action and user', refused: 30 - REFUSAL_AUDIT_BUCKET.freePerKey - 1, until: expect.any(String) },
    ]);
    await sql`delete from cutover.sign_in_throttle where bucket = ${REFUSAL_AUDIT_ALL_BUCKET.name}`;
  });
});
