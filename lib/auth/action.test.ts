import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { useTestDatabase } from '../../test-support/world-database';
import { ActionRefused, defineAction, executeAction } from './action';
import type { SessionUser } from './sessions';

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
      rawInput: { text: 'hello', count: '2' },
    });
    expect(result).toEqual({ status: 'ok', data: { stored: 'hello' } });
    expect(await notes()).toEqual(['hello']);
    expect((await audits()).at(-1)).toMatchObject({
      username: 'omar',
      outcome: 'ok',
      inputs: { text: 'hello', count: '2' },
    });
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

  it('bounds oversized input in the audit row', async () => {
    const huge = 'x'.repeat(100_000);
    const result = await executeAction(writeNote, {
      database: test.database,
      user: operator,
      rawInput: { text: huge, count: 1 },
    });
    expect(result.status).toBe('invalid');
    const last = (await audits()).at(-1);
    expect(String(last?.inputs.text).length).toBeLessThan(2100);
  });
});
