/**
 * The public endpoints flooded at the library level (issue 20, deliverable 1): refused server
 * actions without a session, invalid invitation acceptances and bad bearer tokens, each with big
 * inputs, all at once — the audit log grows by a bounded number of small rows, keeps none of the
 * input, and a real sign-in during the flood succeeds. `npm run test:system` does the same over
 * HTTP against the built console (bench/public-flood.ts).
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { useTestDatabase } from '../../test-support/world-database';
import { defineAction, executeAction } from './action';
import { AUDIT_CHAIN_LOCK } from './audit-append';
import { AUDIT_ROW_MAX_BYTES } from './audit-row-cap';
import { checkBearerToken } from './bearer-token-check';
import { acceptInvitation } from './invitations';
import { signIn } from './login';
import { auditRefusal, REFUSAL_AUDIT_BUCKET } from './refusal-audit';
import { createUser } from './users';

const MARKER = 'FLOODMARKER';
const big = (i: number) => `${MARKER}-${i}-${'p'.repeat(200_000)}`;

const adminOnly = defineAction({
  name: 'test.admin_only',
  input: z.object({ username: z.string().max(64) }),
  roles: ['admin'],
  async run() {
    return null;
  },
});

describe('a flood of refused calls', () => {
  const test = useTestDatabase();

  it('grows the audit log by a bounded number of small rows, and a sign-in during it succeeds', async () => {
    const { sql } = test.database;
    await createUser(test.database.db, { username: 'owner', password: 'owner-password-1', roles: ['operator'] });
    const [start] = await sql<{ id: number }[]>`select coalesce(max(id), 0) as id from cutover.audit_events`;
    const kinds = [
      (i: number) =>
        executeAction(adminOnly, {
          database: test.database,
          user: null,
          rawInput: { username: 'x', note: big(i) },
          address: '198.51.100.1',
        }),
      (i: number) =>
        acceptInvitation(test.database, {
          rawInput: { token: `${MARKER}-made-up-${i}`, password: big(i) },
          address: '198.51.100.2',
        }),
      (i: number) =>
        checkBearerToken(test.database, { token: `dxyc_${MARKER}${i}${'g'.repeat(40)}`, address: '198.51.100.3' }),
    ];
    const perKind = 150;
    let next = 0;
    const worker = async () => {
      while (next < perKind * kinds.length) {
        const i = next++;
        await kinds[i % kinds.length]?.(i);
      }
    };
    const flood = Promise.all(Array.from({ length: 6 }, worker));
    while (next < perKind) await new Promise((resolve) => setImmediate(resolve));
    const started = performance.now();
    const owner = await signIn(test.database, { username: 'owner', password: 'owner-password-1', ip: '192.0.2.7' });
    const signInMs = performance.now() - started;
    const stillFlooding = next < perKind * kinds.length;
    await flood;

    expect(owner.status).toBe('ok');
    expect(stillFlooding).toBe(true);
    const [grown] = await sql<{ rows: number; bytes: number; largest: number; raw: number }[]>`
      select count(*) as rows,
             coalesce(sum(octet_length(inputs::text) + octet_length(detail::text)), 0) as bytes,
             coalesce(max(octet_length(inputs::text) + octet_length(detail::text)), 0) as largest,
             count(*) filter (where inputs::text like ${`%${MARKER}%`} or detail::text like ${`%${MARKER}%`}) as raw
        from cutover.audit_events where id > ${start?.id ?? 0}`;
    console.log(
      `[refusal flood] ${perKind * kinds.length} refused calls → ${grown?.rows} audit rows, ${grown?.bytes} bytes ` +
        `(largest ${grown?.largest}); the sign-in during the flood took ${signInMs.toFixed(0)} ms`,
    );
    // Per address: the free refusals and the one starting the block, one or two after each wait (2 s, 4 s, 8 s…:
    // a slow machine sees more waits end), and the sign-in. However many calls the flood makes.
    expect(grown?.rows).toBeLessThanOrEqual(kinds.length * (REFUSAL_AUDIT_BUCKET.freePerKey + 1 + 8) + 1);
    expect(grown?.largest).toBeLessThan(2_000);
    expect(grown?.largest).toBeLessThanOrEqual(AUDIT_ROW_MAX_BYTES);
    expect(grown?.raw).toBe(0);
  });

  it('counts a blocked address’s refusals without waiting for the audit chain’s lock', async () => {
    const { sql } = test.database;
    const address = '198.51.100.9';
    // One moment for all of them: the block the free ones end in cannot run out mid-test.
    const AT = new Date('2026-11-25T10:00:00Z');
    for (let i = 0; i <= REFUSAL_AUDIT_BUCKET.freePerKey; i++) {
      await auditRefusal(sql, { action: 'test.locked', reason: 'Not signed in.', address }, AT);
    }
    // Another session holds the chain lock (as a long append would): a counted refusal must not wait for it.
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding: () => void = () => {};
    const held = new Promise<void>((resolve) => (holding = resolve));
    const holder = sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`;
      holding();
      await released;
    });
    await held;
    try {
      // Would hang (and time the test out) if counting took the chain lock.
      for (let i = 0; i < 20; i++) {
        await auditRefusal(sql, { action: 'test.locked', reason: 'Not signed in.', address }, AT);
      }
    } finally {
      release();
      await holder;
    }
    const [counted] = await sql<{ n: number }[]>`
      select throttled_attempts as n from cutover.sign_in_throttle
       where bucket = ${REFUSAL_AUDIT_BUCKET.name} and username = 'test.locked' and address = ${address}`;
    expect(counted?.n).toBe(20);
  });
});
