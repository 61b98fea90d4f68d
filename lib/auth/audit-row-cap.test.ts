import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test-support/world-database';
import { recordAudit } from './audit';
import { AUDIT_ROW_MAX_BYTES, jsonbTextBytes } from './audit-row-cap';

describe('the audit row cap', () => {
  const test = useTestDatabase();
  const rowBytes = async (id: number) => {
    const [row] = await test.database.sql<{ bytes: number; inputs: unknown; detail: Record<string, unknown> }[]>`
      select octet_length(coalesce(username, '')) + octet_length(action) + octet_length(inputs::text)
             + octet_length(detail::text) as bytes, inputs, detail
        from cutover.audit_events where id = ${id}`;
    if (!row) throw new Error(`no audit row #${id}`);
    return row;
  };

  it('measures a value as PostgreSQL prints it as jsonb', async () => {
    const values = [
      { a: 1, b: [1, 2, { c: 'x' }], d: null, e: true, f: false },
      { text: 'héllo wörld ✓ 𝄞', quote: '"\\\n\t\u0001', nested: { empty: {}, list: [] } },
      [1e21, 1.5e-7, -2.5e30, 0.1, 123456789012345680000, -0, 42],
      'a string',
      {},
    ];
    for (const value of values) {
      const [row] = await test.database.sql<{ bytes: number }[]>`
        select octet_length((${JSON.stringify(value)}::text::jsonb)::text) as bytes`;
      expect(jsonbTextBytes(value), JSON.stringify(value)).toBe(row?.bytes);
    }
  });

  it('writes a row over the cap without its inputs, then with its detail summarized, never over the cap', async () => {
    const wide = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`field${i}`, 'w'.repeat(1_900)]));
    const withoutInputs = await recordAudit(test.database.sql, {
      userId: 1,
      username: 'omar',
      action: 'test.cap',
      outcome: 'ok',
      inputs: wide,
      detail: { result: 'small' },
    });
    const first = await rowBytes(withoutInputs);
    expect(first.bytes).toBeLessThanOrEqual(AUDIT_ROW_MAX_BYTES);
    expect(first.inputs).toEqual({ omitted: expect.stringContaining('over the audit row cap') });
    expect(first.detail).toEqual({ result: 'small' });

    const summarized = await recordAudit(test.database.sql, {
      userId: 1,
      username: 'omar',
      action: 'test.cap',
      outcome: 'failed',
      inputs: wide,
      detail: { message: 'm'.repeat(1_900), result: wide },
    });
    const second = await rowBytes(summarized);
    expect(second.bytes).toBeLessThanOrEqual(AUDIT_ROW_MAX_BYTES);
    expect(second.detail).toEqual({
      message: `${'m'.repeat(500)}…`,
      omitted: expect.stringContaining('over the audit row cap'),
    });
  });

  it('is enforced by the database too: a bigger row inserted around the console is refused', async () => {
    const big = { text: 'b'.repeat(AUDIT_ROW_MAX_BYTES) };
    // Chain columns filled in (by hand, not verifiable): only the size is wrong with this row.
    await expect(
      test.database.sql`
        insert into cutover.audit_events (user_id, username, action, outcome, inputs, detail, chain_position, row_hash)
        values (null, null, 'test.around', 'refused', ${test.database.sql.json(big)}, '{}', 999999999, 'not-a-hash')`,
    ).rejects.toMatchObject({ code: '23514', constraint_name: 'audit_events_row_bytes_check' });
  });
});
