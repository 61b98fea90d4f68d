/**
 * Password hashing with scrypt (memory-hard, in Node's standard library): N=2^15, r=8, p=1
 * uses 32 MiB per hash. Stored as `scrypt$N$r$p$salt$hash` so parameters can be raised later
 * without invalidating existing hashes. Every hash runs through the process's hash limiter
 * (lib/auth/hash-concurrency.ts), so a flood of sign-ins cannot run more of them at once than it allows.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { type HashLimiter, processHashLimiter } from './hash-concurrency';

const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const MAX_MEMORY = 64 * 1024 * 1024;

function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { N: n, r, p, maxmem: MAX_MEMORY }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** With `maxWaitMs` (someone not yet authenticated: accepting an invitation), busy like verifyPassword. */
export async function hashPassword(
  password: string,
  options: { limiter?: HashLimiter; maxWaitMs?: number } = {},
): Promise<string> {
  const salt = randomBytes(16);
  const limiter = options.limiter ?? processHashLimiter();
  const key = await limiter.run(() => derive(password, salt, N, R, P), { maxWaitMs: options.maxWaitMs });
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/**
 * With `maxWaitMs`, throws HashingBusyError when no hash slot frees up in time (sign-in); without
 * it, waits its turn however long that takes.
 */
export async function verifyPassword(
  password: string,
  stored: string,
  options: { limiter?: HashLimiter; maxWaitMs?: number } = {},
): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const limiter = options.limiter ?? processHashLimiter();
  const actual = await limiter.run(
    () => derive(password, Buffer.from(salt, 'base64url'), Number(n), Number(r), Number(p)),
    { maxWaitMs: options.maxWaitMs },
  );
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A valid hash of a random password: verifying against it costs the same as a real check. */
let decoyHash: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword(randomBytes(16).toString('hex'));
  return decoyHash;
}

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;
