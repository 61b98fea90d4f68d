/**
 * The console and its database settings: where the pipeline database is, where the console listens and
 * who may tell it the client address, sessions and tokens, the embedded data directory, the read pool, and the audit
 * chain's key and anchors (group `console` of the settings table).
 */
import { z } from 'zod';
import { declare } from './setting-declaration';
import { httpUrl, optionalText, postgresUrl, token, wholeNumber } from './value-schemas';

export const CONSOLE_SETTINGS = {
  DATABASE_URL: declare({
    group: 'console',
    schema: postgresUrl,
    default: null,
    allowed: 'a postgres:// or postgresql:// URL',
    meaning:
      'The pipeline database (staging, production). Unset: the embedded PostgreSQL under CUTOVER_DATA_DIR with the rehearsal world.',
    secret: true,
    example: 'postgres://cutover:secret@db.internal:5432/market',
  }),
  PORT: declare({
    group: 'console',
    schema: wholeNumber(1, 65_535),
    default: '3000',
    allowed: 'a port number 1–65535',
    meaning: 'Where the console listens.',
  }),
  HOST: declare({
    group: 'console',
    schema: z.string().regex(/^[\w.:-]+$/),
    default: '127.0.0.1',
    allowed: 'a host name or IP address',
    meaning: 'The address the console binds to (`0.0.0.0` for every interface).',
  }),
  CUTOVER_PUBLIC_URL: declare({
    group: 'console',
    schema: httpUrl,
    default: null,
    allowed: 'an http:// or https:// URL (the address people type, without a path)',
    meaning:
      'Where people reach the console. With https:// the session cookie is `__Host-` prefixed and `Secure`, and HSTS is sent; invitation links start with it. Never guessed from the Host header.',
    example: 'https://cutover.example.com',
  }),
  CUTOVER_TRUSTED_PROXIES: declare({
    group: 'console',
    schema: z
      .string()
      .refine(
        (value) =>
          /^\d{1,2}$/.test(value) ||
          value.split(',').every((part) => /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(part.trim()) && part.trim() !== ''),
      )
      .optional(),
    default: null,
    allowed: 'a number of proxy hops (0–99) or a comma-separated list of proxy addresses/CIDRs',
    meaning:
      'Which reverse proxies may tell the client address in `X-Forwarded-For` (sign-in throttle, audit, sessions). Unset: nobody; the socket address is used.',
    example: '10.0.0.0/8',
  }),
  CUTOVER_SESSION_IDLE_MINUTES: declare({
    group: 'console',
    schema: wholeNumber(5, 24 * 60),
    default: '120',
    allowed: 'a whole number of minutes, 5–1440',
    meaning: 'A session not used for this long ends; every signed-in request (a live page polling included) renews it.',
  }),
  CUTOVER_SESSION_MAX_HOURS: declare({
    group: 'console',
    schema: wholeNumber(1, 24 * 14),
    default: '36',
    allowed: 'a whole number of hours, 1–336',
    meaning: 'A session ends this long after sign-in whatever its use (36 h covers the 24-hour window with margin).',
  }),
  CUTOVER_SIGN_IN_HASH_CONCURRENCY: declare({
    group: 'console',
    schema: wholeNumber(1, 64),
    default: '2',
    allowed: 'a whole number, 1–64',
    meaning:
      'At most this many password hashes are computed at once; further sign-in attempts wait, so a flood cannot starve the server.',
  }),
  CUTOVER_API_TOKEN_MAX_DAYS: declare({
    group: 'console',
    schema: wholeNumber(1, 366),
    default: '90',
    allowed: 'a whole number of days, 1–366',
    meaning: 'The longest lifetime a personal API token may be given on the Tokens page.',
  }),
  CUTOVER_DATA_DIR: declare({
    group: 'console',
    schema: z.string().min(1),
    default: '.data',
    allowed: 'a directory path',
    meaning: 'Where the embedded database, its connection file and the pg_dump backups live.',
  }),
  CUTOVER_MIGRATIONS_DIR: declare({
    group: 'console',
    schema: optionalText,
    default: null,
    allowed: 'a directory path',
    meaning: "The console's SQL migrations (default `drizzle/` in the working directory).",
  }),
  CUTOVER_RUNNER: declare({
    group: 'console',
    schema: z.enum(['on', 'off']),
    default: 'on',
    allowed: '`on` or `off`',
    meaning:
      'Whether the Next.js server runs a runner of its own; `off` when dedicated `npm run runner` processes do the work.',
  }),
  CUTOVER_READ_STATEMENT_TIMEOUT_MS: declare({
    group: 'console',
    schema: wholeNumber(1_000, 600_000),
    default: '15000',
    allowed: 'a whole number of milliseconds between 1000 and 600000',
    meaning:
      'statement_timeout of the small pool that serves what viewers read (every page, poll, preview, report and command-line read): a heavier query is cancelled, never left running on the primary; a viewer waits no longer than this for a turn either.',
  }),
  CUTOVER_AUDIT_KEY: declare({
    group: 'console',
    schema: token,
    default: null,
    allowed: 'at least 20 characters, 8 of them different, no spaces (e.g. `openssl rand -hex 32`)',
    meaning:
      'The key of the audit log’s hash chain (HMAC-SHA256), held outside the database. With DATABASE_URL set, it or CUTOVER_AUDIT_KEY_FILE is required: the console, runner and scripts refuse to start without one. Unset with the embedded database: generated once into `<CUTOVER_DATA_DIR>/audit-key` (0600).',
    secret: true,
  }),
  CUTOVER_AUDIT_KEY_FILE: declare({
    group: 'console',
    schema: optionalText,
    default: null,
    allowed:
      'a path to a file holding the key (at least 20 characters), readable by its owner only (mode 0600 or 0400)',
    meaning: 'The audit chain key read from a file instead of CUTOVER_AUDIT_KEY (the first line, trimmed).',
    example: '/etc/dxy-cutover/audit-key',
  }),
  CUTOVER_AUDIT_ANCHOR_FILE: declare({
    group: 'console',
    schema: optionalText,
    default: null,
    allowed: 'a file path, or `off`',
    meaning:
      'Where the audit chain’s head (id, hash, time) is appended, one JSON line per phase boundary (default `<CUTOVER_DATA_DIR>/audit-anchors.jsonl`); `npm run audit -- verify` checks the chain against the latest line. Keep it off the database host.',
  }),
  CUTOVER_AUDIT_ANCHOR_WEBHOOK: declare({
    group: 'console',
    schema: z.enum(['on', 'off']),
    default: 'on',
    allowed: '`on` or `off`',
    meaning: 'Whether each audit chain anchor is also posted to ALERT_WEBHOOK_URL (through the alert outbox).',
  }),
} as const;
