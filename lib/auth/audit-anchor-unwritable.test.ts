/**
 * An anchor file the console cannot write (a read-only directory, a full disk) must not stop every
 * audited action: the marker that notes "this process found the chain keyed" only hardens a later
 * seal decision (lib/auth/audit-append.ts), so its failure is warned about and the row is written.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useTestDatabase } from '../../test-support/world-database';
import { recordAudit } from './audit';
import { forgetAppendedAuditHashes } from './audit-append';
import { verifyAuditChain } from './audit-chain';

describe('appending with an unwritable anchor file', () => {
  const test = useTestDatabase({ perTest: true });
  afterEach(() => vi.unstubAllEnvs());

  it('still writes the audit row of a restarted process, warning that the chain was not noted', async () => {
    const { sql } = test.database;
    const event = { userId: null, username: 'ada', action: 'auth.sign_in', outcome: 'ok' as const };
    // The chain's first keyed row, while the file could be written.
    await recordAudit(sql, event);
    // A process started afresh (it wrote none of the chain), whose anchor file's directory is a file.
    forgetAppendedAuditHashes();
    const blocked = join(mkdtempSync(join(tmpdir(), 'anchor-')), 'not-a-directory');
    writeFileSync(blocked, '');
    vi.stubEnv('CUTOVER_AUDIT_ANCHOR_FILE', join(blocked, 'audit-anchors.jsonl'));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const id = await recordAudit(sql, event);
      expect(id).toBeGreaterThan(0);
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/could not note the keyed chain in the anchor file/));
    } finally {
      warn.mockRestore();
    }
    expect((await verifyAuditChain(sql)).intact).toBe(true);
  });
});
