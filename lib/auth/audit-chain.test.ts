import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runScript } from '../../test-support/run-script';
import { useTestDatabase } from '../../test-support/world-database';
import { defineAction, executeAction } from './action';
import { recordAudit } from './audit';
import { verifyAuditChain } from './audit-chain';

const echo = defineAction({
  name: 'test.echo',
  input: z.object({ text: z.string().max(5_000) }),
  roles: ['viewer'],
  async run({ input }) {
    return { length: input.text.length };
  },
});
const viewer = { id: 7, username: 'vera', roles: ['viewer' as const], sessionId: 'test-vera' };

function deeplyNested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = { inner: value };
  return value;
}

describe('the audit log: append-only, chained with a keyed hash, writable whatever the input', () => {
  const test = useTestDatabase();

  it('chains every row, even when twenty writers insert at once, and verifies intact', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        recordAudit(test.database.sql, { userId: null, username: `w${i}`, action: 'test.concurrent', outcome: 'ok' }),
      ),
    );
    const state = await verifyAuditChain(test.database.sql);
    expect(state).toMatchObject({ intact: true, events: 20 });
    const [positions] = await test.database.sql`
      select count(distinct chain_position)::int as n, max(chain_position)::int as top from cutover.audit_events`;
    expect(positions).toEqual({ n: 20, top: 20 });
  });

  it('refuses UPDATE, DELETE and TRUNCATE through the table, even for its owner', async () => {
    for (const statement of [
      "UPDATE cutover.audit_events SET outcome = 'refused'",
      'DELETE FROM cutover.audit_events',
      'TRUNCATE cutover.audit_events',
    ]) {
      await expect(test.database.sql.unsafe(statement)).rejects.toThrow(/append-only/);
    }
    expect((await verifyAuditChain(test.database.sql)).intact).toBe(true);
  });

  it('audits a NUL byte and a 10,000-deep input, refused or accepted, without failing', async () => {
    const nul = await executeAction(echo, {
      database: test.database,
      user: viewer,
      rawInput: { text: 'a\u0000b\ud800c' },
    });
    expect(nul.status).toBe('ok');
    const deep = await executeAction(echo, { database: test.database, user: viewer, rawInput: deeplyNested(10_000) });
    expect(deep.status).toBe('invalid');
    const anonymous = await executeAction(echo, {
      database: test.database,
      user: null,
      rawInput: deeplyNested(10_000),
    });
    expect(anonymous.status).toBe('refused');
    const rows = await test.database.sql<{ outcome: string; inputs: Record<string, unknown> }[]>`
      select outcome, inputs from cutover.audit_events where action = 'test.echo' order by id`;
    expect(rows.map((r) => r.outcome)).toEqual(['ok', 'invalid', 'refused']);
    expect(rows[0]?.inputs.text).toBe('a\\u0000b\ufffdc');
    // A refused or invalid call's input is not stored at all any more (metadata only: lib/auth/refusal-audit.ts).
    expect(JSON.stringify(rows[1]?.inputs)).not.toContain('bottom');
    expect((await verifyAuditChain(test.database.sql)).intact).toBe(true);
  });

  it('names the first edited row, and a removed one, when the owner bypasses the trigger', async () => {
    const env = { DATABASE_URL: test.url };
    const intact = await runScript('scripts/audit.ts', ['verify'], { env });
    expect(intact.code, intact.stderr).toBe(0);
    expect(intact.stdout).toMatch(/Audit chain intact: 23 events, head #\d+ [0-9a-f]{16}/);

    const [victim] = await test.database.sql<{ id: number; username: string }[]>`
      select id::int as id, username from cutover.audit_events where action = 'test.concurrent' order by chain_position offset 4 limit 1`;
    await test.database.sql.unsafe('ALTER TABLE cutover.audit_events DISABLE TRIGGER audit_events_no_update_or_delete');
    await test.database.sql`update cutover.audit_events set username = 'mallory' where id = ${victim?.id ?? 0}`;
    const edited = await runScript('scripts/audit.ts', ['verify'], { env });
    expect(edited.code).toBe(1);
    expect(edited.stdout).toContain(`BROKEN at event #${victim?.id}: its content no longer matches its keyed hash`);

    await test.database
      .sql`update cutover.audit_events set username = ${victim?.username ?? ''} where id = ${victim?.id ?? 0}`;
    expect((await verifyAuditChain(test.database.sql)).intact).toBe(true);
    const [next] = await test.database.sql<{ id: number }[]>`
      select id::int as id from cutover.audit_events where chain_position = (
        select chain_position + 1 from cutover.audit_events where id = ${victim?.id ?? 0})`;
    await test.database.sql`delete from cutover.audit_events where id = ${victim?.id ?? 0}`;
    await test.database.sql.unsafe('ALTER TABLE cutover.audit_events ENABLE TRIGGER audit_events_no_update_or_delete');
    const removed = await verifyAuditChain(test.database.sql);
    expect(removed).toMatchObject({ intact: false, brokenId: next?.id });
  });
});
