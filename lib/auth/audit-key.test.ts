/** Where the audit chain's key comes from (lib/auth/audit-key.ts), and that no key means no start with DATABASE_URL. */
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScript } from '../../test-support/run-script';
import { AuditKeyMissing, embeddedAuditKeyFile, resolveAuditKey } from './audit-key';

const noKey = { CUTOVER_AUDIT_KEY: undefined, CUTOVER_AUDIT_KEY_FILE: undefined };

describe('the audit chain key', () => {
  it('embedded mode: generates one key into the data directory (0600) and keeps it', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'audit-key-'));
    const env = { ...noKey, DATABASE_URL: undefined, CUTOVER_DATA_DIR: dataDir };
    const key = resolveAuditKey(env);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(dataDir, 'audit-key')).mode & 0o777).toBe(0o600);
    expect(resolveAuditKey(env)).toBe(key);
    // The launcher hands the server (which sees DATABASE_URL) the same key's file.
    const handed = embeddedAuditKeyFile(env);
    expect(handed).toEqual({ CUTOVER_AUDIT_KEY_FILE: join(dataDir, 'audit-key') });
    expect(resolveAuditKey({ ...env, ...handed, DATABASE_URL: 'postgres://u@db.internal/market' })).toBe(key);
  });

  it('with DATABASE_URL: from CUTOVER_AUDIT_KEY or its file; none is refused, never generated', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'audit-key-'));
    const env = { ...noKey, DATABASE_URL: 'postgres://u@db.internal/market', CUTOVER_DATA_DIR: dataDir };
    expect(() => resolveAuditKey(env)).toThrow(AuditKeyMissing);
    expect(() => resolveAuditKey(env)).toThrow(/CUTOVER_AUDIT_KEY or CUTOVER_AUDIT_KEY_FILE is required/);
    expect(() => readFileSync(join(dataDir, 'audit-key'))).toThrow();
    expect(resolveAuditKey({ ...env, CUTOVER_AUDIT_KEY: 'k3y-from-the-settings-0123' })).toBe(
      'k3y-from-the-settings-0123',
    );
    const file = join(dataDir, 'key-file');
    writeFileSync(file, 'k3y-from-a-file-abcdef0123\n', { mode: 0o600 });
    expect(resolveAuditKey({ ...env, CUTOVER_AUDIT_KEY_FILE: file })).toBe('k3y-from-a-file-abcdef0123');
    writeFileSync(file, 'short\n');
    expect(() => resolveAuditKey({ ...env, CUTOVER_AUDIT_KEY_FILE: file })).toThrow(/no usable audit key/);
  });

  it('refuses a key file, configured or generated, that others may read or write', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'audit-key-'));
    const file = join(dataDir, 'key-file');
    writeFileSync(file, 'k3y-from-a-file-abcdef0123\n', { mode: 0o600 });
    const env = { ...noKey, DATABASE_URL: 'postgres://u@db.internal/market', CUTOVER_AUDIT_KEY_FILE: file };
    expect(resolveAuditKey(env)).toBe('k3y-from-a-file-abcdef0123');
    for (const mode of [0o640, 0o604, 0o620]) {
      chmodSync(file, mode);
      expect(() => resolveAuditKey(env), mode.toString(8)).toThrow(AuditKeyMissing);
      expect(() => resolveAuditKey(env)).toThrow(`is open to others (mode ${mode.toString(8)})`);
    }
    // The embedded mode's generated key, loosened after it was written.
    const embedded = { ...noKey, DATABASE_URL: undefined, CUTOVER_DATA_DIR: dataDir };
    resolveAuditKey(embedded);
    chmodSync(join(dataDir, 'audit-key'), 0o644);
    expect(() => resolveAuditKey(embedded)).toThrow('is open to others (mode 644)');
  });

  it('the runner refuses to start without a key when DATABASE_URL is set', async () => {
    const result = await runScript('scripts/runner.ts', [], {
      env: { DATABASE_URL: 'postgres://u:p@127.0.0.1:1/none', CUTOVER_AUDIT_KEY: '', CUTOVER_AUDIT_KEY_FILE: '' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('[runner] refusing to start: No audit chain key');
  });
});
