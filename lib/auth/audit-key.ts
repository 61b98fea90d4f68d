/**
 * The audit chain's key (docs/operations.md "The audit log"): an HMAC key the database does not
 * hold, so whoever holds the console's database role can edit rows but cannot re-seal them.
 * From CUTOVER_AUDIT_KEY, else CUTOVER_AUDIT_KEY_FILE, else — only with the embedded database
 * (no DATABASE_URL) — a key generated once into `<CUTOVER_DATA_DIR>/audit-key` (0600) and kept.
 * A key file others may read or write (any group/other permission bit) is refused: a readable key
 * lets its reader re-seal an edited chain, a writable one lets them swap it.
 * With DATABASE_URL set and no key, every process that writes audit rows refuses to start.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readSetting } from '../settings';

type Environment = Record<string, string | undefined>;

export class AuditKeyMissing extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditKeyMissing';
  }
}

/** The file the embedded (rehearsal) mode keeps its generated key in. */
export function generatedAuditKeyPath(env: Environment = process.env): string {
  return join(resolve(readSetting('CUTOVER_DATA_DIR', env)), 'audit-key');
}

function usableKey(text: string, origin: string): string {
  const key = text.split('\n')[0]?.trim() ?? '';
  if (key.length < 20 || new Set(key).size < 8) {
    throw new AuditKeyMissing(`${origin} holds no usable audit key (at least 20 characters, 8 of them different).`);
  }
  return key;
}

/** Refuses a key file with any group or other permission (the file itself: a symlink is followed). */
function privateKeyFile(path: string, origin: string): void {
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077)
    throw new AuditKeyMissing(
      `${origin} is open to others (mode ${mode.toString(8).padStart(3, '0')}): \`chmod 600\` it, owned by the user the console runs as.`,
    );
}

/** Resolves the key, generating the embedded mode's one when absent; throws AuditKeyMissing with what to do. */
export function resolveAuditKey(env: Environment = process.env): string {
  const direct = readSetting('CUTOVER_AUDIT_KEY', env);
  if (direct) return direct;
  const file = readSetting('CUTOVER_AUDIT_KEY_FILE', env);
  if (file) {
    let text: string;
    try {
      privateKeyFile(file, `CUTOVER_AUDIT_KEY_FILE ${file}`);
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if (error instanceof AuditKeyMissing) throw error;
      throw new AuditKeyMissing(
        `CUTOVER_AUDIT_KEY_FILE ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
      );
    }
    return usableKey(text, `CUTOVER_AUDIT_KEY_FILE ${file}`);
  }
  if (readSetting('DATABASE_URL', env)) {
    throw new AuditKeyMissing(
      'No audit chain key: with DATABASE_URL set, CUTOVER_AUDIT_KEY or CUTOVER_AUDIT_KEY_FILE is required ' +
        '(e.g. `openssl rand -hex 32`, kept outside the database and the same for the console, the runners and the scripts; ' +
        'docs/operations.md "The audit log").',
    );
  }
  const path = generatedAuditKeyPath(env);
  if (existsSync(path)) {
    privateKeyFile(path, path);
    return usableKey(readFileSync(path, 'utf8'), path);
  }
  mkdirSync(resolve(path, '..'), { recursive: true, mode: 0o700 });
  const key = randomBytes(32).toString('hex');
  // 'wx': two processes starting at once cannot both write a key; the loser reads the winner's.
  try {
    writeFileSync(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch {
    privateKeyFile(path, path);
    return usableKey(readFileSync(path, 'utf8'), path);
  }
}

const cached = new Map<string, string>();

/** The process's key (resolved once per distinct setting; a key is not expected to change while running). */
export function auditKey(env: Environment = process.env): string {
  const cacheKey = [env.CUTOVER_AUDIT_KEY, env.CUTOVER_AUDIT_KEY_FILE, env.DATABASE_URL, env.CUTOVER_DATA_DIR].join(
    '\u0000',
  );
  const hit = cached.get(cacheKey);
  if (hit) return hit;
  const key = resolveAuditKey(env);
  cached.set(cacheKey, key);
  return key;
}

/** A short, non-secret name of a key, so a verify with the wrong key says so instead of "every row edited". */
export function auditKeyId(key: string): string {
  return createHmac('sha256', key).update('dxy-cutover audit key id').digest('hex').slice(0, 12);
}

/** Called at the start of every process that writes audit rows: no key, no start (exit 2, like a bad setting). */
export function checkAuditKeyAtStart(tool: string, env: Environment = process.env): void {
  try {
    auditKey(env);
  } catch (error) {
    if (!(error instanceof AuditKeyMissing)) throw error;
    console.error(`[${tool}] refusing to start: ${error.message}`);
    process.exit(2);
  }
}

/**
 * What the launcher hands its server in embedded mode: the server sees DATABASE_URL (the embedded
 * database's) and would otherwise refuse, so it gets the generated key's file. Nothing when a key is configured.
 */
export function embeddedAuditKeyFile(env: Environment = process.env): Record<string, string> {
  if (readSetting('CUTOVER_AUDIT_KEY', env) || readSetting('CUTOVER_AUDIT_KEY_FILE', env)) return {};
  if (readSetting('DATABASE_URL', env)) return {};
  auditKey(env);
  return { CUTOVER_AUDIT_KEY_FILE: generatedAuditKeyPath(env) };
}
