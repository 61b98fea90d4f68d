/**
 * Two consoles on one database with different audit keys (lib/auth/audit-chain-key.ts): the second key is
 * refused before it writes, so the chain stays whole, and is never taken for rows from before the key.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test-support/world-database';
import { recordAudit } from './audit';
import { forgetAppendedAuditHashes } from './audit-append';
import { verifyAuditChain } from './audit-chain';
import { AuditKeyMismatch, assertAuditKeyFitsDatabase, recordedAuditKeyId } from './audit-chain-key';
import { auditKeyId } from './audit-key';

const OTHER_KEY = 'another-console-key-fedcba9876543210';
const testKey = process.env.CUTOVER_AUDIT_KEY as string;

/** As a second console process started with `key` would append: none of the chain's rows were its own. */
function asConsoleWithKey(key: string): void {
  process.env.CUTOVER_AUDIT_KEY = key;
  forgetAppendedAuditHashes();
}

describe('one key per audit chain', () => {
  const test = useTestDatabase({ perTest: true });
  afterEach(() => asConsoleWithKey(testKey));

  it('records the first keyed append’s key id and refuses another key’s append, leaving the chain intact', async () => {
    const { sql } = test.database;
    await recordAudit(sql, { userId: null, username: 'ada', action: 'test.first', outcome: 'ok' });
    expect(await recordedAuditKeyId(sql)).toBe(auditKeyId(testKey));

    asConsoleWithKey(OTHER_KEY);
    const refused = recordAudit(sql, { userId: null, username: 'bob', action: 'test.other_key', outcome: 'ok' });
    await expect(refused).rejects.toThrow(AuditKeyMismatch);
    await expect(refused).rejects.toThrow(`${auditKeyId(testKey)}; this process has key id ${auditKeyId(OTHER_KEY)}`);
    await expect(assertAuditKeyFitsDatabase(sql, OTHER_KEY)).rejects.toThrow(AuditKeyMismatch);

    asConsoleWithKey(testKey);
    await assertAuditKeyFitsDatabase(sql, testKey);
    await recordAudit(sql, { userId: null, username: 'ada', action: 'test.second', outcome: 'ok' });
    const actions = await sql<{ action: string }[]>`select action from cutover.audit_events order by chain_position`;
    expect(actions.map((a) => a.action)).toEqual(['test.first', 'test.second']);
    expect(await verifyAuditChain(sql)).toMatchObject({ intact: true, events: 2 });
  });

  it('without a record (keyed before migration 0019) refuses a head another key wrote instead of sealing it', async () => {
    const { sql } = test.database;
    await recordAudit(sql, { userId: null, username: 'ada', action: 'test.first', outcome: 'ok' });
    await sql`delete from cutover.audit_chain_key`;

    // A console with its own data directory has an anchor file that knows nothing of this chain: only the
    // head's hash tells the keyed chain from rows before the key, and it verifies with neither of this key's hashes.
    asConsoleWithKey(OTHER_KEY);
    await expect(
      recordAudit(sql, { userId: null, username: 'bob', action: 'test.other_key', outcome: 'ok' }),
    ).rejects.toThrow('does not verify with this process');
    const [seals] = await sql<{ n: number }[]>`
      select count(*)::int as n from cutover.audit_events where action = 'audit.chain_sealed'`;
    expect(seals?.n).toBe(0);
    expect(await recordedAuditKeyId(sql)).toBeNull();

    // The chain's own key finds its head keyed and records itself.
    asConsoleWithKey(testKey);
    await recordAudit(sql, { userId: null, username: 'ada', action: 'test.second', outcome: 'ok' });
    expect(await recordedAuditKeyId(sql)).toBe(auditKeyId(testKey));
    expect(await verifyAuditChain(sql)).toMatchObject({ intact: true, events: 2 });
  });
});
