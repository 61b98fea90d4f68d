/**
 * What whoever holds the console's database role (the table's owner) can do to the audit log, and
 * how `npm run audit -- verify` catches each (docs/operations.md "The audit log"): edit a row and
 * re-hash the chain with plain sha256, delete the tail past an anchor, replace the hashing function
 * and trigger. None of them holds the key, which lives only in the processes' settings.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sql } from 'postgres';
import { beforeEach, describe, expect, it } from 'vitest';
import { runScript } from '../../test-support/run-script';
import { useTestDatabase } from '../../test-support/world-database';
import { recordAudit } from './audit';
import { writeAuditAnchor } from './audit-anchors';
import { forgetAppendedAuditHashes } from './audit-append';
import { verifyAuditChain } from './audit-chain';
import { legacyAuditRowHash } from './audit-hash';

async function writeEvents(sql: Sql, count: number, action = 'test.tamper'): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++)
    ids.push(await recordAudit(sql, { userId: null, username: `u${i}`, action, outcome: 'ok', detail: { i } }));
  return ids;
}

/** As the owner can: switch the append-only trigger off, do `work`, switch it back on. */
async function asOwner(sql: Sql, work: () => Promise<unknown>): Promise<void> {
  await sql.unsafe('ALTER TABLE cutover.audit_events DISABLE TRIGGER audit_events_no_update_or_delete');
  try {
    await work();
  } finally {
    await sql.unsafe('ALTER TABLE cutover.audit_events ENABLE TRIGGER audit_events_no_update_or_delete');
  }
}

/**
 * The attacker's re-hash without the key: every row from `fromPosition` on gets a plain sha256 over its
 * content and the previous hash, so the chain is internally consistent again (what migration 0005 allowed).
 */
async function rehashWithSha256(sql: Sql, fromPosition: number): Promise<void> {
  const rows = await sql<{ id: number; position: number; content: string; prev_hash: string | null }[]>`
    select id::int as id, chain_position::int as position, prev_hash,
           concat_ws('|', id, at, user_id, username, action, outcome, inputs::text, detail::text) as content
      from cutover.audit_events where chain_position >= ${fromPosition} order by chain_position`;
  let prev = rows[0]?.prev_hash ?? null;
  for (const row of rows) {
    const hash = createHash('sha256')
      .update(`${prev ?? ''}|${row.content}`)
      .digest('hex');
    await sql`update cutover.audit_events set prev_hash = ${prev}, row_hash = ${hash} where id = ${row.id}`;
    prev = hash;
  }
}

/**
 * The same re-hash with migration 0005's own unkeyed hash (legacyAuditRowHash, which anyone can re-create from the
 * migration) over the WHOLE chain from position 1, keyed rows included: every row then looks like a row from before the key.
 */
async function rehashThe0005Way(sql: Sql): Promise<void> {
  const rows = await sql<
    {
      id: number;
      at_us: string;
      user_id: number | null;
      username: string | null;
      action: string;
      outcome: string;
      inputs_text: string;
      detail_text: string;
    }[]
  >`
    select id::int as id, ((extract(epoch from at) * 1000000)::bigint)::text as at_us, user_id, username, action,
           outcome, inputs::text as inputs_text, detail::text as detail_text
      from cutover.audit_events order by chain_position`;
  let prev: string | null = null;
  for (const [index, row] of rows.entries()) {
    const hash = legacyAuditRowHash({
      position: index + 1,
      id: row.id,
      atMicros: row.at_us,
      userId: row.user_id,
      username: row.username,
      action: row.action,
      outcome: row.outcome,
      inputsText: row.inputs_text,
      detailText: row.detail_text,
      prevHash: prev,
    });
    await sql`update cutover.audit_events set chain_position = ${index + 1}, prev_hash = ${prev}, row_hash = ${hash}
               where id = ${row.id}`;
    prev = hash;
  }
}

describe('the keyed audit chain against its database owner', () => {
  const test = useTestDatabase({ perTest: true });
  let anchorFile: string;
  beforeEach(() => {
    anchorFile = join(mkdtempSync(join(tmpdir(), 'audit-anchors-')), 'anchors.jsonl');
  });
  const verify = (args: string[] = []) =>
    runScript('scripts/audit.ts', ['verify', '--anchors', anchorFile, ...args], { env: { DATABASE_URL: test.url } });

  it('verifies an untouched chain in Node and prints its head, intact against the latest anchor', async () => {
    await writeEvents(test.database.sql, 5);
    const anchor = await writeAuditAnchor(test.database.sql, { reason: 'test boundary', env: anchorEnv(anchorFile) });
    await writeEvents(test.database.sql, 3);
    const result = await verify();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Audit chain intact: 8 events, head #8 [0-9a-f]{16}…/);
    expect(result.stdout).toContain(`Matches the anchor file (test boundary) (#${anchor?.id}).`);
    expect(result.stdout).toMatch(/Head: 8:[0-9a-f]{64}/);
  });

  it('catches a row edited and the whole chain after it re-hashed with plain sha256', async () => {
    await writeEvents(test.database.sql, 6);
    await asOwner(test.database.sql, async () => {
      await test.database.sql`update cutover.audit_events set username = 'mallory' where chain_position = 3`;
      await rehashWithSha256(test.database.sql, 3);
    });
    const [victim] = await test.database.sql<{ id: number }[]>`
      select id::int as id from cutover.audit_events where chain_position = 3`;
    const result = await verify();
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`BROKEN at event #${victim?.id}: its content no longer matches its keyed hash`);
  });

  it('catches the whole keyed chain re-hashed from its first row with 0005’s unkeyed hash, with no anchor to compare', async () => {
    await writeEvents(test.database.sql, 5);
    await asOwner(test.database.sql, async () => {
      await test.database.sql`update cutover.audit_events set username = 'mallory' where chain_position = 2`;
      await rehashThe0005Way(test.database.sql);
    });
    const [head] = await test.database.sql<{ id: number }[]>`
      select id::int as id from cutover.audit_events order by chain_position desc limit 1`;
    // `anchorFile` holds no anchor of this database: only the chain itself can tell.
    const result = await verify();
    expect(result.stdout).toContain('No anchor of');
    expect(result.code, result.stdout).toBe(1);
    expect(result.stdout).toContain(
      `BROKEN at event #${head?.id}: 5 rows hashed without the key and no seal over them`,
    );

    // The console's next append (as another process: it wrote none of these hashes) does not seal the forgery:
    // its anchor file says this chain was keyed from its first row.
    forgetAppendedAuditHashes();
    await recordAudit(test.database.sql, { userId: null, username: 'op', action: 'test.after', outcome: 'ok' });
    const [seals] = await test.database.sql<{ n: number }[]>`
      select count(*)::int as n from cutover.audit_events where action = 'audit.chain_sealed'`;
    expect(seals?.n).toBe(0);
    expect(await verifyAuditChain(test.database.sql)).toMatchObject({ intact: false });
    expect((await verify()).code).toBe(1);
  });

  it('is not sealed by a process that only found the chain keyed (its first rows written elsewhere)', async () => {
    // Another host's process wrote the chain's first rows, with its own anchor file.
    const elsewhere = process.env.CUTOVER_AUDIT_ANCHOR_FILE;
    process.env.CUTOVER_AUDIT_ANCHOR_FILE = join(mkdtempSync(join(tmpdir(), 'audit-anchors-')), 'other-host.jsonl');
    try {
      await writeEvents(test.database.sql, 3);
    } finally {
      process.env.CUTOVER_AUDIT_ANCHOR_FILE = elsewhere;
    }
    // This process appends once: the chain is keyed, and its own anchor file now says so.
    forgetAppendedAuditHashes();
    await writeEvents(test.database.sql, 1);
    await asOwner(test.database.sql, () => rehashThe0005Way(test.database.sql));
    forgetAppendedAuditHashes();
    await writeEvents(test.database.sql, 1);
    const [seals] = await test.database.sql<{ n: number }[]>`
      select count(*)::int as n from cutover.audit_events where action = 'audit.chain_sealed'`;
    expect(seals?.n).toBe(0);
    expect(await verifyAuditChain(test.database.sql)).toMatchObject({ intact: false });
  });

  it('catches the tail deleted past an anchor, and past a head given with --expect', async () => {
    await writeEvents(test.database.sql, 4);
    const anchor = await writeAuditAnchor(test.database.sql, { reason: 'phase 4 started', env: anchorEnv(anchorFile) });
    const later = await writeEvents(test.database.sql, 3);
    const [head] = await test.database.sql<{ row_hash: string }[]>`
      select row_hash from cutover.audit_events where id = ${later.at(-1) ?? 0}`;
    expect((await verify(['--expect', `${later.at(-1)}:${head?.row_hash}`])).code).toBe(0);

    // The newest rows go, the anchored one with them: what is left is a consistent chain.
    await asOwner(
      test.database.sql,
      () => test.database.sql`delete from cutover.audit_events where chain_position >= 4`,
    );
    expect((await verifyAuditChain(test.database.sql)).intact).toBe(true);
    const result = await verify();
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`BROKEN at event #${anchor?.id}: the head recorded in the anchor file`);
    expect(result.stdout).toContain('is gone: rows at or before it were removed');

    // Rows deleted after the last anchor only: the head noted elsewhere catches them.
    const noAnchors = join(mkdtempSync(join(tmpdir(), 'audit-anchors-')), 'none.jsonl');
    const expectHead = await runScript(
      'scripts/audit.ts',
      ['verify', '--anchors', noAnchors, '--expect', `${later.at(-1)}:${head?.row_hash}`],
      { env: { DATABASE_URL: test.url } },
    );
    expect(expectHead.code).toBe(1);
    expect(expectHead.stdout).toContain(`BROKEN at event #${later.at(-1)}: the head recorded in --expect`);
  });

  it('catches an anchored row whose hash was rewritten', async () => {
    await writeEvents(test.database.sql, 3);
    const anchor = await writeAuditAnchor(test.database.sql, {
      reason: 'rollback finished',
      env: anchorEnv(anchorFile),
    });
    await asOwner(
      test.database.sql,
      () =>
        test.database
          .sql`update cutover.audit_events set row_hash = md5(row_hash) || md5(row_hash) where id = ${anchor?.id ?? 0}`,
    );
    const result = await verify();
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`BROKEN at event #${anchor?.id}`);
  });

  it('does not depend on any database function: replacing the old hash function and trigger changes nothing', async () => {
    await writeEvents(test.database.sql, 3);
    // The owner brings back migration 0005's unkeyed trigger, with a function that hashes whatever it likes.
    await test.database.sql.unsafe(`
      CREATE OR REPLACE FUNCTION cutover.audit_row_hash(p_prev text, p_id bigint) RETURNS text LANGUAGE sql AS
        $$ SELECT encode(sha256(convert_to(coalesce(p_prev, '') || p_id::text, 'UTF8')), 'hex') $$;
      CREATE OR REPLACE FUNCTION cutover.forge_chain() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE v_position bigint; v_hash text;
      BEGIN
        SELECT chain_position, row_hash INTO v_position, v_hash FROM cutover.audit_events
         WHERE chain_position IS NOT NULL ORDER BY chain_position DESC LIMIT 1;
        NEW.chain_position := coalesce(v_position, 0) + 1;
        NEW.prev_hash := v_hash;
        NEW.row_hash := cutover.audit_row_hash(v_hash, NEW.id);
        RETURN NEW;
      END $$;
      CREATE TRIGGER forge_chain BEFORE INSERT ON cutover.audit_events FOR EACH ROW EXECUTE FUNCTION cutover.forge_chain();`);
    // The rows written before still verify: verify calls no database function…
    expect((await verify()).code).toBe(0);
    // …a row written in SQL alone, chained by the owner's trigger, does not.
    const [forged] = await test.database.sql<{ id: number }[]>`
      insert into cutover.audit_events (action, outcome) values ('users.grant_role', 'ok') returning id::int as id`;
    const result = await verify();
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`BROKEN at event #${forged?.id}: its content no longer matches its keyed hash`);
  });

  it('says so when the key is not the chain’s, and refuses to start without a key when DATABASE_URL is set', async () => {
    await writeEvents(test.database.sql, 2);
    const wrongKey = await runScript('scripts/audit.ts', ['verify', '--anchors', anchorFile], {
      env: { DATABASE_URL: test.url, CUTOVER_AUDIT_KEY: 'another-key-0123456789abcdef' },
    });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stdout).toContain('or the key is not this chain’s');
    const noKey = await runScript('scripts/audit.ts', ['verify'], {
      env: { DATABASE_URL: test.url, CUTOVER_AUDIT_KEY: '', CUTOVER_AUDIT_KEY_FILE: '' },
    });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('refusing to start: No audit chain key: with DATABASE_URL set');
  });

  it('appends the anchor as a JSON line of this database to the file', async () => {
    await writeEvents(test.database.sql, 2);
    const anchor = await writeAuditAnchor(test.database.sql, { reason: 'phase 1 started', env: anchorEnv(anchorFile) });
    await writeEvents(test.database.sql, 1);
    await writeAuditAnchor(test.database.sql, { reason: 'phase 1 succeeded', env: anchorEnv(anchorFile) });
    const lines = readFileSync(anchorFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ v: 1, id: anchor?.id, position: 2, reason: 'phase 1 started' });
    expect(lines[1]).toMatchObject({ position: 3, reason: 'phase 1 succeeded' });
    expect(lines[1].hash).toMatch(/^[0-9a-f]{64}$/);
    expect(lines[1].database).toMatch(/^127\.0\.0\.1:\d+\/t_[0-9a-f]+$/);
  });
});

function anchorEnv(file: string): Record<string, string | undefined> {
  return { ...process.env, CUTOVER_AUDIT_ANCHOR_FILE: file, ALERT_WEBHOOK_URL: undefined };
}
