import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test-support/world-database';
import { processHashLimiter } from './hash-concurrency';
import { SIGN_IN_BUSY, SIGN_IN_FAILED, type SignInResult, signIn } from './login';
import {
  ANY_USERNAME,
  admitSignInAttempt,
  delayAfterFailures,
  FREE_FAILURES_PER_ADDRESS,
  FREE_FAILURES_PER_PAIR,
  MAX_DELAY_SECONDS,
  throttleAddress,
} from './sign-in-throttle';
import { createUser } from './users';

const ATTACKER = '198.51.100.66';
const OFFICE = '192.0.2.10';
const BASE = new Date('2026-11-25T10:00:00Z');
const at = (seconds: number) => new Date(BASE.getTime() + seconds * 1000);

describe('sign-in throttle', () => {
  const test = useTestDatabase();
  const attempt = (username: string, password: string, ip: string, now: Date) =>
    signIn(test.database, { username, password, ip, now });
  const pairRow = async (username: string, address: string) => {
    const [row] = await test.database.sql`
      select failures, blocked_until, throttled_attempts from cutover.sign_in_throttle
      where username = ${username} and address = ${address}`;
    return row as { failures: number; blocked_until: Date | null; throttled_attempts: number } | undefined;
  };
  const auditOf = async (username: string) =>
    (
      await test.database.sql`
        select outcome, detail from cutover.audit_events
        where action = 'auth.sign_in' and username = ${username} order by id`
    ).map((row) => ({ outcome: row.outcome as string, detail: row.detail as Record<string, unknown> }));
  // A username that is no account's is audited as its length only (lib/auth/login.ts): found by address instead.
  const auditFrom = async (addressPrefix: string) =>
    (
      await test.database.sql`
        select username, inputs, detail from cutover.audit_events
        where action = 'auth.sign_in' and detail->>'address' like ${`${addressPrefix}%`} order by id`
    ).map((row) => ({
      username: row.username as string | null,
      inputs: row.inputs as Record<string, unknown>,
      detail: row.detail as Record<string, unknown>,
    }));
  const statuses = (results: SignInResult[]) => {
    const counts: Record<string, number> = {};
    for (const result of results) counts[result.status] = (counts[result.status] ?? 0) + 1;
    return counts;
  };

  beforeAll(async () => {
    for (const username of ['alice', 'bob', 'carol', 'dave', 'erin']) {
      await createUser(test.database.db, { username, password: `${username}-password-1`, roles: ['operator'] });
    }
  });

  it('waits nothing for the first failures, then 2 s, 4 s, 8 s, … up to 15 minutes', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 12, 13, 40].map((n) => delayAfterFailures(n, FREE_FAILURES_PER_PAIR))).toEqual([
      0, 0, 0, 2, 4, 8, 16, 512, 900, 900,
    ]);
    expect(MAX_DELAY_SECONDS).toBe(900);
  });

  it('counts 20 concurrent wrong guesses as 20: only the first four passwords are checked, the rest refused', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => attempt('alice', `wrong-guess-${i}`, ATTACKER, BASE)),
    );
    expect(statuses(results)).toEqual({ failed: FREE_FAILURES_PER_PAIR + 1, throttled: 16 });
    const row = await pairRow('alice', ATTACKER);
    expect(row).toEqual({ failures: 4, blocked_until: at(2), throttled_attempts: 16 });
    expect((row?.failures ?? 0) + (row?.throttled_attempts ?? 0)).toBe(20);
    // Four audited failures and one row for the blocked period, not sixteen.
    const audit = await auditOf('alice');
    // (The refusal is audited at once, the failures after their hashes: compare as a multiset.)
    expect(audit.map((a) => a.detail.reason).sort()).toEqual([
      ...Array(4).fill('bad credentials or disabled user'),
      'throttled',
    ]);
    expect(audit.every((a) => a.detail.address === ATTACKER)).toBe(true);
  });

  it('never lets concurrent first attempts on fresh rows wait on each other: every attempt counted, none fails', async () => {
    // Admission only (no password checks): 20 rounds of 16 simultaneous attempts, each round on a
    // username and an address nobody has tried yet, so the rows are created under contention.
    for (let round = 0; round < 20; round++) {
      const key = { username: `fresh-${round}`, address: `192.0.2.${100 + round}`, now: BASE };
      const admissions = await Promise.all(
        Array.from({ length: 16 }, () => admitSignInAttempt(test.database.sql, key)),
      );
      expect(admissions.filter((a) => a.admitted)).toHaveLength(FREE_FAILURES_PER_PAIR + 1);
      const row = await pairRow(key.username, key.address);
      expect((row?.failures ?? 0) + (row?.throttled_attempts ?? 0)).toBe(16);
    }
  });

  it('lets the right user sign in from their own address after 50 attacker attempts, without waiting', async () => {
    const flood = await Promise.all(
      Array.from({ length: 50 }, (_, i) => attempt('bob', `guess-${i}`, ATTACKER, at(i % 2))),
    );
    expect(flood.every((r) => r.status !== 'ok')).toBe(true);
    expect(await attempt('bob', 'bob-password-1', ATTACKER, at(1))).toMatchObject({ status: 'throttled' });
    const real = await attempt('bob', 'bob-password-1', OFFICE, at(1));
    expect(real.status).toBe('ok');
    const [session] = await test.database.sql`
      select s.ip from cutover.sessions s join cutover.users u on u.id = s.user_id where u.username = 'bob'`;
    expect(session?.ip).toBe(OFFICE);
    // The attacker's pair is still blocked; the office's pair holds nothing against bob.
    expect((await pairRow('bob', ATTACKER))?.blocked_until?.getTime()).toBeGreaterThan(at(1).getTime());
    expect(await pairRow('bob', OFFICE)).toBeUndefined();
  });

  it('doubles the wait with each failure after the free ones, refusing attempts in between', async () => {
    let now = BASE;
    for (let i = 1; i <= 3; i++)
      expect(await attempt('carol', `typo-${i}`, OFFICE, now)).toMatchObject({ status: 'failed' });
    for (const expected of [2, 4, 8]) {
      expect(await attempt('carol', 'another typo', OFFICE, now)).toEqual({
        status: 'failed',
        message: SIGN_IN_FAILED,
      });
      const row = await pairRow('carol', OFFICE);
      expect(row?.blocked_until).toEqual(new Date(now.getTime() + expected * 1000));
      const early = await attempt('carol', 'carol-password-1', OFFICE, new Date(now.getTime() + expected * 1000 - 1));
      expect(early).toEqual({
        status: 'throttled',
        retryAfterSeconds: 1,
        message: 'Too many failed sign-in attempts from this address. Try again in 1 s.',
      });
      now = new Date(now.getTime() + expected * 1000);
    }
    // Far along (as after hours of guessing): the wait stops growing at 15 minutes.
    await test.database
      .sql`update cutover.sign_in_throttle set failures = 40 where username = 'carol' and address = ${OFFICE}`;
    expect(await attempt('carol', 'guess', OFFICE, now)).toMatchObject({ status: 'failed' });
    expect((await pairRow('carol', OFFICE))?.blocked_until).toEqual(new Date(now.getTime() + 900_000));
    const refused = await attempt('carol', 'guess', OFFICE, now);
    expect(refused).toMatchObject({ status: 'throttled', retryAfterSeconds: 900 });
    expect(refused.status === 'throttled' && refused.message).toContain('Try again in 15 minutes');
  });

  it('counts a blocked pair’s further attempts in throttled_attempts, audited once and summarized once', async () => {
    for (let i = 0; i < 4; i++) await attempt('dave', `wrong-${i}`, ATTACKER, BASE);
    const before = (await auditOf('dave')).length;
    for (let i = 0; i < 10; i++) {
      expect(await attempt('dave', `wrong-more-${i}`, ATTACKER, at(1))).toMatchObject({ status: 'throttled' });
    }
    expect((await pairRow('dave', ATTACKER))?.throttled_attempts).toBe(10);
    const during = (await auditOf('dave')).slice(before);
    expect(during).toEqual([
      {
        outcome: 'refused',
        detail: expect.objectContaining({ reason: 'throttled', address: ATTACKER, blockedUntil: at(2).toISOString() }),
      },
    ]);
    // The block is over: the next attempt is checked, and the period's refusals become one summary row.
    expect(await attempt('dave', 'wrong-again', ATTACKER, at(2))).toMatchObject({ status: 'failed' });
    const after = (await auditOf('dave')).slice(before + 1);
    expect(after.map((a) => a.detail.reason)).toEqual(['throttled (summary)', 'bad credentials or disabled user']);
    expect(after[0]?.detail).toMatchObject({ refusedAttempts: 10, scope: 'username and address' });
    expect(await pairRow('dave', ATTACKER)).toMatchObject({ failures: 5, throttled_attempts: 0 });
  });

  it('forgets a pair’s failures when its user signs in, and counts from zero again', async () => {
    for (let i = 0; i < 3; i++) await attempt('erin', `typo-${i}`, OFFICE, BASE);
    expect((await pairRow('erin', OFFICE))?.failures).toBe(3);
    expect(await attempt('erin', 'erin-password-1', OFFICE, BASE)).toMatchObject({ status: 'ok' });
    expect(await pairRow('erin', OFFICE)).toBeUndefined();
    expect(await attempt('erin', 'typo-again', OFFICE, BASE)).toMatchObject({ status: 'failed' });
    expect(await pairRow('erin', OFFICE)).toMatchObject({ failures: 1, blocked_until: null });
  });

  it('slows down one address trying many usernames, and nobody else', async () => {
    const sprayer = '203.0.113.99';
    // As if it had already failed with 30 different usernames (each of which would cost a scrypt here).
    await test.database.sql`
      insert into cutover.sign_in_throttle (username, address, failures, last_failure_at)
      values (${ANY_USERNAME}, ${sprayer}, ${FREE_FAILURES_PER_ADDRESS}, ${BASE})`;
    expect(await attempt('user31', 'password', sprayer, BASE)).toMatchObject({ status: 'failed' });
    expect(await attempt('user32', 'password', sprayer, BASE)).toMatchObject({
      status: 'throttled',
      retryAfterSeconds: 2,
    });
    expect((await auditFrom(sprayer)).at(-1)).toMatchObject({
      username: null,
      inputs: { usernameLength: 'user32'.length },
      detail: { reason: 'throttled', scope: 'address' },
    });
    expect(await attempt('user33', 'password', '203.0.113.100', BASE)).toMatchObject({ status: 'failed' });
  });

  it('refuses an attempt as busy when hashing is saturated, and takes its count back', async () => {
    const limiter = processHashLimiter();
    const release: Array<() => void> = [];
    // Two hashes running (held until released) and a full queue of 32 waiting sign-ins: the next one cannot queue.
    const running = [0, 1].map(() => limiter.run(() => new Promise<void>((resolve) => release.push(resolve))));
    const queued = Array.from({ length: 32 }, () => limiter.run(async () => {}, { maxWaitMs: 60_000 }));
    try {
      const busy = await attempt('alice', 'alice-password-1', OFFICE, at(10));
      expect(busy).toEqual({ status: 'throttled', message: SIGN_IN_BUSY, retryAfterSeconds: 5 });
      expect(await pairRow('alice', OFFICE)).toMatchObject({ failures: 0, blocked_until: null });
    } finally {
      for (const done of release) done();
      await Promise.all([...running, ...queued]);
    }
    expect(await attempt('alice', 'alice-password-1', OFFICE, at(10))).toMatchObject({ status: 'ok' });
  });

  it('counts an IPv6 client by its /64, and records its full address', async () => {
    expect(throttleAddress('2001:db8:7:8::1')).toBe('2001:db8:7:8::/64');
    expect(throttleAddress(ATTACKER)).toBe(ATTACKER);
    await attempt('nobody', 'x', '2001:db8:7:8::1', BASE);
    await attempt('nobody', 'x', '2001:db8:7:8:ffff::2', BASE);
    expect((await pairRow('nobody', '2001:db8:7:8::/64'))?.failures).toBe(2);
    expect((await auditFrom('2001:db8:7:8:')).map((a) => a.detail.address)).toEqual([
      '2001:db8:7:8::1',
      '2001:db8:7:8:ffff::2',
    ]);
  });

  it('refuses an empty username and the address-wide row’s name without touching the table', async () => {
    const before = await test.database.sql`select count(*)::int as n from cutover.sign_in_throttle`;
    expect(await attempt('  ', 'x', OFFICE, BASE)).toEqual({ status: 'failed', message: SIGN_IN_FAILED });
    expect(await attempt('*', 'x', OFFICE, BASE)).toEqual({ status: 'failed', message: SIGN_IN_FAILED });
    expect(await test.database.sql`select count(*)::int as n from cutover.sign_in_throttle`).toEqual(before);
  });
});
