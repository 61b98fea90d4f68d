/**
 * Rows hashed before the key existed (migration 0005's unkeyed trigger) are sealed by the first keyed
 * append (lib/auth/audit-seal.ts), and every way of rewriting them afterwards is caught.
 */
import type { Sql } from 'postgres';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test-support/world-database';
import { recordAudit } from './audit';
import { writeAuditAnchor } from './audit-anchors';
import { forgetAppendedAuditHashes } from './audit-append';
import { verifyAuditChain } from './audit-chain';

/** Migration 0005's function and trigger, as they were: the rows an upgraded database holds. */
const LEGACY_0005 = `
  CREATE OR REPLACE FUNCTION cutover.audit_row_hash(
    p_prev text, p_id bigint, p_at timestamptz, p_user_id integer, p_username text,
    p_action text, p_outcome text, p_inputs jsonb, p_detail jsonb
  ) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT encode(sha256(convert_to(concat_ws(E'\\x1f',
      coalesce(p_prev, ''), p_id::text, ((extract(epoch FROM p_at) * 1000000)::bigint)::text,
      coalesce(p_user_id::text, ''), coalesce(p_username, ''), p_action, p_outcome,
      p_inputs::text, p_detail::text), 'UTF8')), 'hex')
  $$;
  CREATE OR REPLACE FUNCTION cutover.audit_events_chain() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE v_position bigint; v_hash text;
  BEGIN
    SELECT chain_position, row_hash INTO v_position, v_hash FROM cutover.audit_events
     WHERE chain_position IS NOT NULL ORDER BY chain_position DESC LIMIT 1;
    NEW.chain_position := coalesce(v_position, 0) + 1;
    NEW.prev_hash := v_hash;
    NEW.row_hash := cutover.audit_row_hash(NEW.prev_hash, NEW.id, NEW.at, NEW.user_id, NEW.username,
                                           NEW.action, NEW.outcome, NEW.inputs, NEW.detail);
    RETURN NEW;
  END $$;
  CREATE TRIGGER audit_events_chain BEFORE INSERT ON cutover.audit_events
    FOR EACH ROW EXECUTE FUNCTION cutover.audit_events_chain();`;

async function writeLegacyRows(sql: Sql): Promise<void> {
  await sql.unsafe(LEGACY_0005);
  await sql`insert into cutover.audit_events (user_id, username, action, outcome, inputs, detail) values
              (1, 'ada', 'users.create', 'ok', ${sql.json({ username: 'bob', roles: ['viewer'] })}, '{}'),
              (1, 'ada', 'runbook.start_phase', 'ok', ${sql.json({ phase: '1' })}, ${sql.json({ runId: 1, n: 1.5 })}),
              (null, null, 'auth.sign_in', 'refused', '{}', ${sql.json({ address: '10.0.0.9' })})`;
  await sql.unsafe('DROP TRIGGER audit_events_chain ON cutover.audit_events');
}

async function asOwner(sql: Sql, statement: string): Promise<void> {
  await sql.unsafe(`ALTER TABLE cutover.audit_events DISABLE TRIGGER audit_events_no_update_or_delete;
                    ${statement};
                    ALTER TABLE cutover.audit_events ENABLE TRIGGER audit_events_no_update_or_delete`);
}

describe('the seal over rows hashed before the key', () => {
  const test = useTestDatabase({ perTest: true });

  it('reports the unkeyed rows as not intact until the first keyed append seals them, once', async () => {
    const { sql } = test.database;
    await writeLegacyRows(sql);
    // Anyone can compute 0005's hash: unsealed, these rows prove nothing, whoever wrote them.
    const unsealed = await verifyAuditChain(sql);
    expect(unsealed).toMatchObject({ intact: false, events: 3, brokenPosition: 3 });
    expect(unsealed.intact ? '' : unsealed.reason).toContain('3 rows hashed without the key and no seal over them');
    await recordAudit(sql, { userId: 2, username: 'bob', action: 'test.after', outcome: 'ok' });
    await recordAudit(sql, { userId: 2, username: 'bob', action: 'test.after', outcome: 'ok' });
    const seals = await sql<{ position: number; detail: { legacyRows: number; legacyHead: { position: number } } }[]>`
      select chain_position::int as position, detail from cutover.audit_events where action = 'audit.chain_sealed'`;
    expect(seals).toHaveLength(1);
    expect(seals[0]).toMatchObject({ position: 4, detail: { legacyRows: 3, legacyHead: { position: 3 } } });
    expect(await verifyAuditChain(sql)).toMatchObject({ intact: true, events: 6, legacyRows: 3, sealed: true });
  });

  it('seals again after the sealing transaction rolled back, but not after the seal and the keyed rows were removed', async () => {
    const { sql } = test.database;
    await writeLegacyRows(sql);
    // The first keyed append happens inside an action's transaction that then fails: the seal goes with it.
    await expect(
      sql.begin(async (tx) => {
        await recordAudit(tx, { userId: 2, username: 'bob', action: 'test.rolled_back', outcome: 'ok' });
        throw new Error('the action failed after its audit row');
      }),
    ).rejects.toThrow('the action failed');
    forgetAppendedAuditHashes();
    const [none] = await sql<{ n: number }[]>`select count(*)::int as n from cutover.audit_events`;
    expect(none?.n).toBe(3);
    // Its marker names the unkeyed head it closed, which is still the head: sealing now blesses nothing new.
    await recordAudit(sql, { userId: 2, username: 'bob', action: 'test.after', outcome: 'ok' });
    expect(await verifyAuditChain(sql)).toMatchObject({ intact: true, events: 5, legacyRows: 3, sealed: true });

    // The owner removes the seal and the keyed row after it: back to the upgrade's picture, but the anchor
    // written once the seal committed names the later head, so the console does not seal again.
    await asOwner(sql, 'DELETE FROM cutover.audit_events WHERE chain_position > 3');
    forgetAppendedAuditHashes();
    await recordAudit(sql, { userId: 2, username: 'bob', action: 'test.after', outcome: 'ok' });
    const [seals] = await sql<{ n: number }[]>`
      select count(*)::int as n from cutover.audit_events where action = 'audit.chain_sealed'`;
    expect(seals?.n).toBe(0);
    expect(await verifyAuditChain(sql)).toMatchObject({ intact: false });
  });

  it('catches an unkeyed row edited and the unkeyed rows re-hashed after it: the seal no longer fits', async () => {
    const { sql } = test.database;
    await writeLegacyRows(sql);
    await recordAudit(sql, { userId: 2, username: 'bob', action: 'test.after', outcome: 'ok' });
    const [seal] = await sql<{ id: number }[]>`
      select id::int as id from cutover.audit_events where action = 'audit.chain_sealed'`;
    // With 0005's function the owner re-hashes rows 2 and 3 after editing row 2.
    await asOwner(
      sql,
      `UPDATE cutover.audit_events SET username = 'mallory' WHERE chain_position = 2;
       UPDATE cutover.audit_events e SET row_hash = cutover.audit_row_hash(e.prev_hash, e.id, e.at, e.user_id, e.username, e.action, e.outcome, e.inputs, e.detail) WHERE chain_position = 2;
       UPDATE cutover.audit_events e SET prev_hash = (SELECT row_hash FROM cutover.audit_events WHERE chain_position = 2) WHERE chain_position = 3;
       UPDATE cutover.audit_events e SET row_hash = cutover.audit_row_hash(e.prev_hash, e.id, e.at, e.user_id, e.username, e.action, e.outcome, e.inputs, e.detail) WHERE chain_position = 3`,
    );
    expect(await verifyAuditChain(sql)).toMatchObject({ intact: false, brokenId: seal?.id });
    // Pointing the seal at the new head does not help: the seal's own keyed hash then fails.
    await asOwner(
      sql,
      `UPDATE cutover.audit_events SET prev_hash = (SELECT row_hash FROM cutover.audit_events WHERE chain_position = 3) WHERE chain_position = 4`,
    );
    const state = await verifyAuditChain(sql);
    expect(state).toMatchObject({ intact: false, brokenId: seal?.id });
    expect(state.intact ? '' : state.reason).toContain('matches neither its keyed nor its unkeyed hash');
  });

  it('catches the seal removed, and an unkeyed row after the keyed ones', async () => {
    const { sql } = test.database;
    await writeLegacyRows(sql);
    const first = await recordAudit(sql, { userId: 2, username: 'bob', action: 'test.after', outcome: 'ok' });
    // A phase boundary anchored the keyed chain (in this run's anchor file: vitest.config.ts).
    expect(await writeAuditAnchor(sql, { reason: 'phase 1 started' })).not.toBeNull();
    await asOwner(sql, `DELETE FROM cutover.audit_events WHERE action = 'audit.chain_sealed'`);
    // Renumber and relink as a careful owner would, so that only the missing seal is left to find.
    await asOwner(
      sql,
      `UPDATE cutover.audit_events SET chain_position = 4, prev_hash = (SELECT row_hash FROM cutover.audit_events WHERE chain_position = 3) WHERE id = ${first}`,
    );
    const removed = await verifyAuditChain(sql);
    expect(removed).toMatchObject({ intact: false, brokenId: first });

    forgetAppendedAuditHashes(); // as another process would see the head: not one it wrote
    const fresh = await recordAudit(sql, { userId: 2, username: 'bob', action: 'test.after', outcome: 'ok' });
    expect(fresh).toBeGreaterThan(first);
    // No second seal once the chain was anchored: an owner cannot get re-hashed rows blessed by removing the seal.
    const [seals] = await sql<{ n: number }[]>`
      select count(*)::int as n from cutover.audit_events where action = 'audit.chain_sealed'`;
    expect(seals?.n).toBe(0);
  });
});
