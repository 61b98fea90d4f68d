/**
 * The chain's head outside the database (lib/auth/audit-anchors.ts): at every phase boundary, into
 * the anchor file and the webhook's outbox; and the audit page's incremental check, which trusts a
 * head it verified before only after re-checking it, and the latest anchor on every view.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sql } from 'postgres';
import { beforeEach, describe, expect, it } from 'vitest';
import { MIDWEEK_NOW } from '../../test-support/test-world';
import { useTestDatabase, useTestWorld } from '../../test-support/world-database';
import { recordAudit } from './audit';
import { auditAnchorFilePath, databaseLabelOf, readLatestAuditAnchor, writeAuditAnchor } from './audit-anchors';
import { forgetVerifiedAuditHeads, verifyAuditChainIncrementally } from './audit-chain-cache';

async function writeEvents(sql: Sql, count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++)
    ids.push(await recordAudit(sql, { userId: null, username: `u${i}`, action: 'test.anchor', outcome: 'ok' }));
  return ids;
}

describe('anchors and the audit page’s check', () => {
  const test = useTestDatabase({ perTest: true });
  let anchorFile: string;
  beforeEach(() => {
    anchorFile = join(mkdtempSync(join(tmpdir(), 'audit-anchors-')), 'anchors.jsonl');
    forgetVerifiedAuditHeads();
  });

  it('posts each anchor to the webhook through the outbox when on, and not when off', async () => {
    const { sql } = test.database;
    await writeEvents(sql, 2);
    const env = { ...process.env, CUTOVER_AUDIT_ANCHOR_FILE: anchorFile, ALERT_WEBHOOK_URL: 'https://hooks.example/x' };
    const anchor = await writeAuditAnchor(sql, { reason: 'phase 7 started', env });
    await writeAuditAnchor(sql, { reason: 'phase 7 succeeded', env: { ...env, CUTOVER_AUDIT_ANCHOR_WEBHOOK: 'off' } });
    const alerts = await sql<{ payload: { kind: string; anchor: { id: number; hash: string; reason: string } } }[]>`
      select payload from cutover.alert_outbox order by id`;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.payload).toMatchObject({ kind: 'audit_anchor', anchor: { id: anchor?.id, hash: anchor?.hash } });
    expect(readFileSync(anchorFile, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('verifies from the last verified head, and still catches a new forged row and a rewritten anchor', async () => {
    const { sql } = test.database;
    await writeEvents(sql, 5);
    const first = await verifyAuditChainIncrementally(sql, { anchorFile });
    expect(first).toMatchObject({ resumedFrom: null, state: { intact: true, events: 5 } });
    await writeEvents(sql, 3);
    const second = await verifyAuditChainIncrementally(sql, { anchorFile });
    expect(second.resumedFrom).toMatchObject({ position: 5 });
    expect(second.state).toMatchObject({ intact: true, events: 8 });

    // Anchored, then the anchored row's hash rewritten: caught on the next view though it lies behind the head.
    const anchor = await writeAuditAnchor(sql, {
      reason: 'phase 2 started',
      env: { CUTOVER_AUDIT_ANCHOR_FILE: anchorFile },
    });
    await writeEvents(sql, 1);
    expect((await verifyAuditChainIncrementally(sql, { anchorFile })).state.intact).toBe(true);
    await sql.unsafe('ALTER TABLE cutover.audit_events DISABLE TRIGGER audit_events_no_update_or_delete');
    await sql`update cutover.audit_events set row_hash = md5(row_hash) || md5(row_hash) where id = ${anchor?.id ?? 0}`;
    await sql.unsafe('ALTER TABLE cutover.audit_events ENABLE TRIGGER audit_events_no_update_or_delete');
    expect((await verifyAuditChainIncrementally(sql, { anchorFile })).state).toMatchObject({
      intact: false,
      brokenId: anchor?.id,
    });
  });

  it('catches a row the owner appended in SQL after the verified head', async () => {
    const { sql } = test.database;
    await writeEvents(sql, 3);
    expect((await verifyAuditChainIncrementally(sql, { anchorFile })).state.intact).toBe(true);
    const [head] = await sql<
      { row_hash: string }[]
    >`select row_hash from cutover.audit_events where chain_position = 3`;
    const [forged] = await sql<{ id: number }[]>`
      insert into cutover.audit_events (action, outcome, chain_position, prev_hash, row_hash)
      values ('users.grant_role', 'ok', 4, ${head?.row_hash ?? ''}, repeat('ab', 32)) returning id::int as id`;
    const check = await verifyAuditChainIncrementally(sql, { anchorFile });
    expect(check.resumedFrom).not.toBeNull();
    expect(check.state).toMatchObject({ intact: false, brokenId: forged?.id });
  });
});

describe('anchors at phase boundaries', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 1 });

  it('writes the head when a phase run starts and when it finishes', async () => {
    await recordAudit(test.database.sql, { userId: null, username: 'op', action: 'test.before_phase', outcome: 'ok' });
    const run = await test.driver.run('1');
    const file = auditAnchorFilePath();
    expect(file).not.toBeNull();
    const mine = readFileSync(file ?? '', 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { database: string; reason: string })
      .filter((anchor) => anchor.database === databaseLabelOf(test.database.sql));
    expect(mine.map((anchor) => anchor.reason)).toEqual([
      // The chain's first keyed row, anchored once it committed (lib/auth/audit-append.ts).
      'the first keyed audit event',
      `phase run #${run.id} (1) started`,
      `phase run #${run.id} (1) ${run.status}`,
    ]);
    const latest = readLatestAuditAnchor(file ?? '', databaseLabelOf(test.database.sql)).latest;
    const [head] = await test.database.sql<{ id: number; row_hash: string }[]>`
      select id::int as id, row_hash from cutover.audit_events order by chain_position desc limit 1`;
    expect(latest).toMatchObject({ id: head?.id, hash: head?.row_hash });
  });
});
