import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { useTestDatabase } from '../../test-support/world-database';
import { ActionRefused, defineAction, executeAction } from './action';
import { REFUSAL_AUDIT_BUCKET } from './refusal-audit';
import type { SessionUser } from './sessions';
import { PASSWORD_CHANGE_FIRST, refuseUntilPasswordChanged } from './user-admin-password';

const viewer: SessionUser = { id: 1, username: 'vera', roles: ['viewer'], sessionId: 'v' };
const operator: SessionUser = { id: 2, username: 'omar', roles: ['operator'], sessionId: 'o' };

const writeNote = defineAction({
  name: 'test.write_note',
  input: z.object({ text: z.string().min(1).max(20), count: z.coerce.number().int().min(1) }),
  roles: ['operator'],
  async run({ tx, input }) {
    await tx`insert into notes (text) values (${input.text})`;
    if (input.text === 'refuse') throw new ActionRefused('Refused for the test.');
    if (input.text === 'explode') throw new Error('boom from postgres://u:secret@host/db');
    return { stored: input.text };
  },
});

describe('the action wrapper', () => {
  const test = useTestDatabase();
  beforeAll(async () => {
    await test.database.sql`create table notes (text text not null)`;
  });

  const audits = () =>
    test.database.sql<
      { username: string | null; outcome: string; inputs: Record<string, unknown>; detail: Record<string, unknown> }[]
    >`
      select username, outcome, inputs, detail from cutover.audit_events where action = 'test.write_note' order by id`;
  const notes = async () => (await test.database.sql<{ text: string }[]>`select text from notes`).map((n) => n.text);

  it('acts and audits in one transaction', async () => {
    const result = await executeAction(writeNote, {
      database: test.database,
      user: operator,
      rawInput: { text: 'hello', count: '2', pad: 'q'.repeat(10_000) },
    });
    expect(result).toEqual({ status: 'ok', data: { stored: 'hello' } });
    expect(await notes()).toEqual(['hello']);
    // What zod parsed (count coerced, the unnamed key stripped), not the raw input.
    const last = (await audits()).at(-1);
    expect(last).toMatchObject({ username: 'omar', outcome: 'ok' });
    expect(last?.inputs).toEqual({ text: 'hello', count: 2 });
  });

  it('refuses a wrong role, changes nothing, and audits the refusal', async () => {
    const result = await executeAction(writeNote, {
      database: test.database,
      user: viewer,
      rawInput: { text: 'sneaky', count: 1 },
    });
    expect(result.status).toBe('refused');
    expect(await notes()).not.toContain('sneaky');
    expect((await audits()).at(-1)).toMatchObject({ username: 'vera', outcome: 'refused' });
  });

  it('refuses an anonymous caller and audits it', async () => {
    const result = await executeAction(writeNote, {
      database: test.database,
      user: null,
      rawInput: { text: 'anon', count: 1 },
    });
    expect(result).toEqual({ status: 'refused', reason: 'Not signed in.' });
    expect((await audits()).at(-1)).toMatchObject({ username: null, outcome: 'refused' });
  });

  it('rejects invalid input with field errors, changes nothing, and audits it', async () => {
    const result = await executeAction(writeNote, {
      database: test.database,
      user: operator,
      rawInput: { text: '', count: 'x' },
    });
    expect(result.status).toBe('invalid');
    if (result.status === 'invalid') expect(Object.keys(result.fieldErrors).sort()).toEqual(['count', 'text']);
    expect((await audits()).at(-1)).toMatchObject({ outcome: 'invalid' });
    expect(await notes()).toEqual(['hello']);
  });

  it('rolls back the data change when the action refuses midway', async () => {
    const result = await executeAction(writeNote, {
      database: test.database,
      user: operator,
      rawInput: { text: 'refuse', count: 1 },
    });
    expect(result).toEqual({ status: 'refused', reason: 'Refused for the test.' });
    expect(await notes()).not.toContain('refuse');
  });

  it('rolls back on failure, hides the raw error from the caller and keeps credentials out of the audit', async () => {
    const result = await executeAction(writeNote, {
      database: test.database,
      user: operator,
      rawInput: { text: 'explode', count: 1 },
    });
    expect(result.status).toBe('failed');
    if (result.status === 'failed') expect(result.message).not.toContain('boom');
    expect(await notes()).not.toContain('explode');
    const last = (await audits()).at(-1);
    expect(last?.outcome).toBe('failed');
    expect(JSON.stringify(last?.detail)).not.toContain('secret');
    expect(JSON.stringify(last?.detail)).toContain('boom');
  });

  it('keeps none of an invalid input, only its size and which fields were wrong', async () => {
    const huge = 'x'.repeat(100_000);
    const result = await executeAction(writeNote, {
      database: test.database,
      user: operator,
      rawInput: { text: huge, count: 1 },
      address: '192.0.2.44',
    });
    expect(result.status).toBe('invalid');
    const last = (await audits()).at(-1);
    expect(last).toMatchObject({
      outcome: 'invalid',
      inputs: {},
      detail: { reason: 'invalid input', address: '192.0.2.44', fields: ['text'], sizes: { keys: 2 } },
    });
    expect(Number((last?.detail.sizes as { bytes?: number } | undefined)?.bytes)).toBeGreaterThan(100_000);
    expect(JSON.stringify(last)).not.toContain('xxxx');
  });

  it('keeps what zod parsed of an input the action refuses, never the keys it stripped', async () => {
    const result = await executeAction(writeNote, {
      database: test.database,
      user: operator,
      rawInput: { text: 'refuse', count: '1', note: 'y'.repeat(100_000) },
      address: '192.0.2.45',
    });
    expect(result.status).toBe('refused');
    const last = (await audits()).at(-1);
    expect(last).toMatchObject({
      username: 'omar',
      outcome: 'refused',
      inputs: { text: 'refuse', count: 1 },
      detail: { reason: 'Refused for the test.', address: '192.0.2.45' },
    });
    expect(last?.inputs).not.toHaveProperty('note');
    expect(JSON.stringify(last)).not.toContain('yyyy');
  });
});

const openToAll = defineAction({
  name: 'test.refuse_anyone',
  input: z.object({ id: z.coerce.number().int().positive() }),
  roles: ['viewer', 'operator', 'approver', 'admin'],
  async run({ input }) {
    throw new ActionRefused(`No thing #${input.id} of yours.`);
  },
});

describe('an action open to every viewer, refused again and again', () => {
  const test = useTestDatabase();

  it('writes a bounded number of small rows per user, whatever the input’s padding or the address', async () => {
    for (let i = 0; i < 100; i++) {
      const result = await executeAction(openToAll, {
        database: test.database,
        user: viewer,
        rawInput: { id: 999_999_999, pad1: 'p'.repeat(20_000) },
        // A new address each time: the count is the user's, not the address's.
        address: `198.51.100.${i}`,
      });
      expect(result).toEqual({ status: 'refused', reason: 'No thing #999999999 of yours.' });
    }
    const [written] = await test.database.sql<{ n: number; largest: number }[]>`
      select count(*)::int as n, max(octet_length(inputs::text) + octet_length(detail::text))::int as largest
        from cutover.audit_events where action = 'test.refuse_anyone'`;
    // The free ones and the one that starts the block, as every refusal (lib/auth/refusal-audit.ts).
    expect(written?.n).toBe(REFUSAL_AUDIT_BUCKET.freePerKey + 1);
    expect(written?.largest).toBeLessThan(1_000);
    const [counted] = await test.database.sql<{ n: number }[]>`
      select sum(throttled_attempts)::int as n from cutover.sign_in_throttle
       where bucket = ${REFUSAL_AUDIT_BUCKET.name} and username = 'test.refuse_anyone'`;
    expect(counted?.n).toBe(100 - REFUSAL_AUDIT_BUCKET.freePerKey - 1);
  });
});

describe('refused calls flooding the action wrapper', () => {
  const test = useTestDatabase();
  const rows = (address: string) =>
    test.database.sql<{ n: number; bytes: number }[]>`
      select count(*)::int as n, coalesce(sum(octet_length(inputs::text) + octet_length(detail::text)), 0)::int as bytes
        from cutover.audit_events where action = 'test.write_note' and detail->>'address' = ${address}`;

  it('audits an anonymous 200 KB call as a small metadata row: action, reason, address, sizes, no input', async () => {
    const result = await executeAction(writeNote, {
      database: test.database,
      user: null,
      rawInput: { text: 'z'.repeat(200_000), count: 1 },
      address: '203.0.113.5',
    });
    expect(result).toEqual({ status: 'refused', reason: 'Not signed in.' });
    const [row] = await test.database.sql<{ inputs: unknown; detail: Record<string, unknown>; bytes: number }[]>`
      select inputs, detail, octet_length(inputs::text) + octet_length(detail::text) as bytes
        from cutover.audit_events where action = 'test.write_note' order by id desc limit 1`;
    expect(row?.inputs).toEqual({});
    expect(row?.detail).toMatchObject({
      reason: 'Not signed in.',
      address: '203.0.113.5',
      sizes: { bytes: 200_000 + 'text'.length + 'count'.length + 8, keys: 2 },
    });
    expect(row?.bytes).toBeLessThan(500);
  });

  it('audits a call refused until a one-time password is replaced as metadata, not its input', async () => {
    const refused = await refuseUntilPasswordChanged(test.database, {
      specName: 'test.write_note',
      user: { ...operator, mustChangePassword: true },
      rawInput: { text: 'o'.repeat(100_000) },
      address: '192.0.2.77',
    });
    expect(refused).toEqual({ status: 'refused', reason: PASSWORD_CHANGE_FIRST });
    const [row] = await test.database.sql<{ inputs: unknown; detail: Record<string, unknown> }[]>`
      select inputs, detail from cutover.audit_events
       where action = 'test.write_note' and detail->>'address' = '192.0.2.77'`;
    expect(row).toMatchObject({
      inputs: {},
      detail: { reason: PASSWORD_CHANGE_FIRST, sizes: { bytes: 100_000 + 'text'.length, keys: 1 } },
    });
  });

  it('writes a bounded number of rows for 300 anonymous and wrong-role calls from one address', async () => {
    const flooder = '198.51.100.200';
    for (let i = 0; i < 150; i++) {
      await executeAction(writeNote, {
        database: test.database,
        user: null,
        rawInput: { text: 'a'.repeat(10_000) },
        address: flooder,
      });
      await executeAction(writeNote, {
        database: test.database,
        user: viewer,
        rawInput: { text: 'ok', count: 1 },
        address: flooder,
      });
    }
    const [counted] = await rows(flooder);
    // The free refusals (and the one that starts each block) are rows; the rest are counted — the anonymous
    // caller's per address, the signed-in viewer's per address and user.
    expect(counted?.n).toBeLessThanOrEqual(2 * (REFUSAL_AUDIT_BUCKET.freePerKey + 2));
    expect(counted?.bytes).toBeLessThan(counted ? counted.n * 1_000 : 0);
    // Another address is not held back by the flood.
    await executeAction(writeNote, { database: test.database, user: null, rawInput: {}, address: '192.0.2.99' });
    expect((await rows('192.0.2.99'))[0]?.n).toBe(1);
  });
});
