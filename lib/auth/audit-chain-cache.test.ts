/**
 * The audit page's incremental check remembers a broken chain for a while (lib/auth/audit-chain-cache.ts):
 * a broken chain has no verified head to resume from, and without the memory every view re-read it all.
 */
import type { Sql } from 'postgres';
import { beforeEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test-support/world-database';
import { recordAudit } from './audit';
import { BROKEN_REMEMBERED_MS, forgetVerifiedAuditHeads, verifyAuditChainIncrementally } from './audit-chain-cache';

async function asOwner(sql: Sql, statement: string): Promise<void> {
  await sql.unsafe(`ALTER TABLE cutover.audit_events DISABLE TRIGGER audit_events_no_update_or_delete;
                    ${statement};
                    ALTER TABLE cutover.audit_events ENABLE TRIGGER audit_events_no_update_or_delete`);
}

describe('the audit page’s check of a broken chain', () => {
  const test = useTestDatabase({ perTest: true });
  beforeEach(() => forgetVerifiedAuditHeads());

  it('shows the break it found without reading the chain again, until the memory runs out', async () => {
    const { sql } = test.database;
    for (let i = 0; i < 4; i++)
      await recordAudit(sql, { userId: null, username: `u${i}`, action: 'test.cache', outcome: 'ok' });
    let clock = Date.parse('2026-12-07T10:00:00Z');
    const now = () => clock;
    await asOwner(sql, `UPDATE cutover.audit_events SET username = 'mallory' WHERE chain_position = 2`);
    const found = await verifyAuditChainIncrementally(sql, { anchorFile: null, now });
    expect(found).toMatchObject({ state: { intact: false, brokenPosition: 2 }, brokenFoundAt: null });

    // The owner puts the row back: a view within the memory still shows the break as found then — it read nothing.
    await asOwner(sql, `UPDATE cutover.audit_events SET username = 'u1' WHERE chain_position = 2`);
    clock += BROKEN_REMEMBERED_MS - 1;
    const remembered = await verifyAuditChainIncrementally(sql, { anchorFile: null, now });
    expect(remembered).toMatchObject({ state: { intact: false, brokenPosition: 2 }, resumedFrom: null });
    expect(remembered.brokenFoundAt?.toISOString()).toBe('2026-12-07T10:00:00.000Z');

    // Past it, the chain is read again, from the first row.
    clock += 1;
    const reread = await verifyAuditChainIncrementally(sql, { anchorFile: null, now });
    expect(reread).toMatchObject({ state: { intact: true, events: 4 }, resumedFrom: null, brokenFoundAt: null });
  });
});
