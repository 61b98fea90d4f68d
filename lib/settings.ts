/**
 * Every environment variable the console, the runner and the CLI read, declared once: its type
 * (a zod schema over the raw string), default, what is allowed and what it means. The entry
 * points validate all of them before they start (a bad value stops the start with the
 * variable's name and what is allowed, instead of crashing a page later); readers elsewhere take
 * one typed value with `readSetting`. `.env.example` and the README's settings table are
 * rendered from this declaration (lib/settings.test.ts keeps them equal).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseMarketCalendar } from './market-calendar-format';

export type SettingGroup = 'console' | 'rehearsal' | 'runbook' | 'workers' | 'monitoring' | 'cli';

export const SETTING_GROUP_TITLES: Record<SettingGroup, string> = {
  console: 'Console and database',
  rehearsal: 'Rehearsal world',
  runbook: 'Runbook',
  workers: 'Worker control (real deployments)',
  monitoring: 'Monitoring and alerting',
  cli: 'Command line',
};

interface SettingDeclaration<S extends z.ZodType> {
  group: SettingGroup;
  /** Parses the raw value; receives `undefined` when the variable is unset (or empty) and has no default. */
  schema: S;
  /** The raw default, or null when unset means "off" or is computed (see `meaning`). */
  default: string | null;
  /** What is allowed, in words: printed when a value is refused. */
  allowed: string;
  meaning: string;
  /** Never echoed back in an error (credentials, tokens, webhook URLs that carry a key). */
  secret?: boolean;
  /** A value to show (commented out) in .env.example. */
  example?: string;
}

function declare<S extends z.ZodType>(declaration: SettingDeclaration<S>): SettingDeclaration<S> {
  return declaration;
}

const wholeNumber = (min: number, max: number) =>
  z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(min).max(max));

const positiveNumber = (max: number) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?$/)
    .transform(Number)
    .pipe(z.number().gt(0).max(max));

const optionalText = z.string().min(1).optional();

const zeroOrOne = z.enum(['0', '1']).transform((value) => value === '1');

const httpUrl = z
  .string()
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol))
  .optional();

const postgresUrl = z
  .string()
  .refine((value) => URL.canParse(value) && /^postgres(ql)?:$/.test(new URL(value).protocol))
  .optional();

const isoTime = z
  .string()
  .refine((value) => /^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(Date.parse(value)))
  .transform((value) => new Date(value))
  .optional();

/** A bearer token that is long and varied enough not to be guessed ("changeme" and "xxxx…" are refused). */
const token = z
  .string()
  .refine((value) => value.length >= 20 && new Set(value).size >= 8 && !/\s/.test(value))
  .optional();

export const SETTINGS = {
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
  REHEARSAL_SPEED: declare({
    group: 'rehearsal',
    schema: positiveNumber(100_000).optional(),
    default: null,
    allowed: 'a positive number up to 100000',
    meaning:
      'Simulated seconds per wall second (`60`: the 24 h window passes in 24 min). Unset: 1 for a new world, unchanged for an existing one.',
    example: '60',
  }),
  REHEARSAL_SCHEMA: declare({
    group: 'rehearsal',
    schema: z.enum(['production', 'plan']),
    default: 'production',
    allowed: '`production` or `plan`',
    meaning: "The pipeline schema of a new world: production's as it really is, or the one the written plan assumed.",
  }),
  REHEARSAL_DAYS: declare({
    group: 'rehearsal',
    schema: wholeNumber(1, 1000),
    default: '14',
    allowed: 'a whole number of days between 1 and 1000',
    meaning: 'Days of history in a new world.',
  }),
  REHEARSAL_START: declare({
    group: 'rehearsal',
    schema: isoTime,
    default: null,
    allowed: 'an ISO 8601 time, e.g. 2026-11-25T10:00:00Z',
    meaning:
      'Simulated start time of a new world. Unset: now, or the previous Thursday 14:00 UTC when the FX market is closed.',
    example: '2026-11-25T10:00:00Z',
  }),
  REHEARSAL_LEFTOVERS: declare({
    group: 'rehearsal',
    schema: zeroOrOne,
    default: '0',
    allowed: '`0` or `1`',
    meaning:
      "`1`: a new world also holds production's leftovers (the aborted attempt's DXY rows in data_bars, holes in the legacy history).",
  }),
  REHEARSAL_INGESTION: declare({
    group: 'rehearsal',
    schema: z.enum(['staggered', 'together']),
    default: 'staggered',
    allowed: '`staggered` or `together`',
    meaning:
      "How a new world's tick-factory ingests the DXY components: `staggered` as production (each symbol 0–4 min late, a few times a day one held back 30–60 min; legacy DXY derived once all six are in), or `together` (all six of a minute at once).",
  }),
  REHEARSAL_REVISIONS_PER_HOUR: declare({
    group: 'rehearsal',
    schema: z
      .string()
      .regex(/^\d+(\.\d+)?$/)
      .transform(Number)
      .pipe(z.number().min(0).max(60)),
    default: '2',
    allowed: 'a number from 0 to 60',
    meaning:
      'Provider revisions of a recent component bar (last 30 min) per simulated hour in a new world; the tick-factory overwrites the bar and re-derives DXY over it. `0`: none.',
  }),
  REHEARSAL_SECOND_WRITER_MINUTES: declare({
    group: 'rehearsal',
    schema: wholeNumber(1, 1440).optional(),
    default: null,
    allowed: 'a whole number of minutes between 1 and 1440',
    meaning:
      "A new world also has a legacy DXY writer the deploy does not control: every N simulated minutes it calls calc_dxy_range_derived over the last N minutes, whatever the workers' mode. Unset: none.",
    example: '20',
  }),
  CUTOVER_WORKER_ROLE: declare({
    group: 'runbook',
    schema: z.string().regex(/^[A-Za-z_][\w$]*$/),
    default: 'service_role',
    allowed: 'a PostgreSQL role name',
    meaning: 'The role granted EXECUTE on calc_dxy_range_1m (PUBLIC, anon and authenticated never are).',
  }),
  CUTOVER_COPY_BATCH_ROWS: declare({
    group: 'runbook',
    schema: wholeNumber(1, 10_000_000),
    default: '20000',
    allowed: 'a positive whole number',
    meaning: 'Upper bound of rows per phase 4 copy batch.',
  }),
  CUTOVER_COPY_PACED: declare({
    group: 'runbook',
    schema: zeroOrOne,
    default: '0',
    allowed: '`0` or `1`',
    meaning: '`1`: one copy batch per runner tick (about one a second), for a busy primary.',
  }),
  CUTOVER_BATCH_STATEMENT_TIMEOUT_MS: declare({
    group: 'runbook',
    schema: wholeNumber(1, 3_600_000),
    default: '15000',
    allowed: 'a positive whole number of milliseconds',
    meaning: 'statement_timeout of one copy batch; a batch that hits it rolls back and is retried with half the rows.',
  }),
  CUTOVER_SOFT_DELETE_BATCH_ROWS: declare({
    group: 'runbook',
    schema: wholeNumber(1, 10_000_000),
    default: '20000',
    allowed: 'a positive whole number',
    meaning: 'Rows per phase 9 soft-delete batch.',
  }),
  CUTOVER_RECONCILE_MAX_ROWS: declare({
    group: 'runbook',
    schema: wholeNumber(1, 1_000_000),
    default: '10000',
    allowed: 'a positive whole number',
    meaning:
      'Most data_bars rows one Reconcile may write (missing minutes copied plus differing rows overwritten); over it, Reconcile is refused with the counts: narrow the range.',
  }),
  CUTOVER_PG_DUMP_DIR: declare({
    group: 'runbook',
    schema: optionalText,
    default: null,
    allowed: 'a directory path, or `off`',
    meaning: 'Where phase 1 writes its pg_dump file (default `<CUTOVER_DATA_DIR>/backups`); `off` skips the dump.',
  }),
  CUTOVER_AGGREGATOR_5M_SQL_FILE: declare({
    group: 'runbook',
    schema: optionalText,
    default: null,
    allowed: 'a path to a .sql file',
    meaning:
      "A data_bars-only definition of aggregate_1m_to_5m_window of one's own, used instead of phase 5's transformation of the backed-up definition when that body is not understood (phase 5 shows it as a diff, and checks and probes it the same way).",
  }),
  CUTOVER_MARKET_CALENDAR_FILE: declare({
    group: 'runbook',
    // The file is read and parsed here too, so a missing or malformed calendar stops the start.
    schema: optionalText.refine((path) => path === undefined || marketCalendarFileProblem(path) === null),
    default: null,
    allowed: 'a path to a readable JSON market calendar (docs/operations.md "Market calendar")',
    meaning:
      'Holidays and early closes of the FX market (New York time), added to or replacing the defaults (Dec 24 and Dec 31 close 13:00, Dec 25 and Jan 1 closed). Every check, the window, phase 9, the rollback and the rehearsal world follow it.',
    example: './market-calendar.json',
  }),
  CUTOVER_LEASE_SECONDS: declare({
    group: 'runbook',
    schema: wholeNumber(1, 3600),
    default: '30',
    allowed: 'a positive whole number of seconds',
    meaning: "How long a claimed run's lease lasts without a heartbeat before another runner resumes it.",
  }),
  CUTOVER_DEPLOYMENT_PROOF_MINUTES: declare({
    group: 'runbook',
    schema: wholeNumber(1, 1440),
    default: '20',
    allowed: 'a positive whole number of minutes',
    meaning: 'How long phase 7 and the rollback wait for the data to prove a deployment.',
  }),
  CUTOVER_APPROVAL_TTL_MINUTES: declare({
    group: 'runbook',
    schema: wholeNumber(1, 10_080),
    default: '120',
    allowed: 'a positive whole number of minutes (at most a week)',
    meaning:
      'A request (phase 9, a Reconcile, a deleting rollback, an abandon) expires this long after it was REQUESTED: approving it, or a runner claiming its approved run, is refused after that; request it again.',
  }),
  CUTOVER_DDL_LOCK_TIMEOUT_MS: declare({
    group: 'runbook',
    schema: wholeNumber(1, 600_000),
    default: '5000',
    allowed: 'a positive whole number of milliseconds',
    meaning: 'lock_timeout of DDL on live tables, so a busy table fails the step instead of queueing writers.',
  }),
  CUTOVER_WINDOW_MIN_OPEN_HOURS: declare({
    group: 'runbook',
    schema: wholeNumber(0, 24),
    default: '20',
    allowed: 'a whole number of hours between 0 and 24',
    meaning:
      'How many of the 24 window hours must fall in open FX market before phase 9 may run (a window over a weekend proves little).',
  }),
  CUTOVER_MONITOR_SETTLE_MAX_MINUTES: declare({
    group: 'runbook',
    schema: wholeNumber(10, 24 * 60),
    default: '90',
    allowed: 'a whole number of minutes, 10–1440',
    meaning:
      "How long after an hour's end its snapshot may stay provisional waiting for late component data; then it is settled as it stands (a FAIL is alerted). Also how late the rollback and phase 9 wait for the data frontier.",
  }),
  CUTOVER_WORKER_DEPLOY_CMD: declare({
    group: 'workers',
    schema: optionalText,
    default: null,
    allowed: 'a shell command',
    meaning: 'Deploys tick-factory and aggregator; receives `WORKER_MODE=legacy|dual|final`.',
    example: 'kubectl -n market set env deploy/tick-factory DXY_MODE=$WORKER_MODE',
  }),
  CUTOVER_WORKER_RESTART_CMD: declare({
    group: 'workers',
    schema: optionalText,
    default: null,
    allowed: 'a shell command',
    meaning: 'Restarts the workers (optional).',
  }),
  CUTOVER_WORKER_STATUS_CMD: declare({
    group: 'workers',
    schema: optionalText,
    default: null,
    allowed: 'a shell command',
    meaning: 'Exits 0 when the workers are healthy; may print a line `mode=<mode>` (optional).',
  }),
  CUTOVER_WORKER_TIMEOUT_SECONDS: declare({
    group: 'workers',
    schema: wholeNumber(1, 86_400),
    default: '300',
    allowed: 'a positive whole number of seconds',
    meaning: 'A worker command still running after this long is killed.',
  }),
  CUTOVER_WORKER_ENV: declare({
    group: 'workers',
    schema: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*(\s*,\s*[A-Za-z_][A-Za-z0-9_]*)*$/)
      .transform((value) => value.split(',').map((name) => name.trim()))
      .optional(),
    default: null,
    allowed: 'a comma-separated list of environment variable names',
    meaning:
      'The only variables, besides PATH, HOME and WORKER_MODE, the worker commands see (e.g. KUBECONFIG); nothing else of the console’s environment reaches them.',
    example: 'KUBECONFIG',
  }),
  ALERT_WEBHOOK_URL: declare({
    group: 'monitoring',
    schema: httpUrl,
    default: null,
    allowed: 'an http:// or https:// URL',
    meaning: 'Receives a JSON message once for each FAIL hour of the 24-hour window.',
    secret: true,
    example: 'https://alerts.example.com/hooks/dxy-cutover',
  }),
  CUTOVER_METRICS_TOKEN: declare({
    group: 'monitoring',
    schema: token,
    default: null,
    allowed: 'at least 20 characters, 8 of them different, no spaces (e.g. `openssl rand -hex 24`)',
    meaning: 'Lets a Prometheus scraper read `GET /api/metrics` with `Authorization: Bearer <token>`.',
    secret: true,
  }),
  CUTOVER_ALERT_CURSOR_STALL_MINUTES: declare({
    group: 'monitoring',
    schema: wholeNumber(1, 1440),
    default: '15',
    allowed: 'a whole number of minutes, 1–1440',
    meaning:
      'Open-market minutes an aggregation cursor may trail the data frontier beyond its own window and run interval before it counts as stalled; a stalled DXY 5m cursor is alerted once per incident (docs/operations.md "Pipeline signals").',
  }),
  CUTOVER_ALERT_BRIDGE_LAG_MINUTES: declare({
    group: 'monitoring',
    schema: wholeNumber(1, 1440),
    default: '5',
    allowed: 'a whole number of minutes, 1–1440',
    meaning:
      'Between phases 5 and 7, a legacy DXY minute older than this and still missing in data_bars is bridge lag, alerted once per incident.',
  }),
  CUTOVER_ALERT_WAITING_MINUTES: declare({
    group: 'monitoring',
    schema: wholeNumber(1, 10_080),
    default: '60',
    allowed: 'a whole number of minutes (at most a week)',
    meaning:
      'A phase run awaiting approval, or waiting on a condition, for longer than this is alerted once as stuck waiting.',
  }),
  CUTOVER_URL: declare({
    group: 'cli',
    schema: httpUrl,
    default: null,
    allowed: 'an http:// or https:// URL',
    meaning: 'The console `npm run cutover` talks to (over HTTP; the CLI never connects to the database).',
    example: 'https://cutover.example.com',
  }),
  CUTOVER_TOKEN: declare({
    group: 'cli',
    schema: optionalText,
    default: null,
    allowed: 'a personal API token from the console’s Tokens page',
    meaning: '`npm run cutover` acts as the token’s owner, with their roles (never printed or audited).',
    secret: true,
  }),
} as const;

/** Why a market calendar file cannot be used, or null when it can. */
export function marketCalendarFileProblem(path: string): string | null {
  try {
    parseMarketCalendar(readFileSync(path, 'utf8'), path, path);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

export type SettingName = keyof typeof SETTINGS;
export type Settings = { [K in SettingName]: z.output<(typeof SETTINGS)[K]['schema']> };
type Environment = Record<string, string | undefined>;

export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

export interface SettingProblem {
  name: SettingName;
  message: string;
}

function rawValue(name: SettingName, env: Environment): string | undefined {
  const value = env[name];
  // An empty variable (e.g. `DATABASE_URL=`) means unset, as it does for the shell scripts around us.
  return value === undefined || value === '' ? (SETTINGS[name].default ?? undefined) : value;
}

function problemOf(name: SettingName, env: Environment): string {
  const declaration = SETTINGS[name];
  const shown = declaration.secret ? 'value not shown' : `got "${env[name]}"`;
  return `${name} must be ${declaration.allowed} (${shown})`;
}

export class SettingsError extends Error {
  constructor(readonly problems: SettingProblem[]) {
    super(`Invalid settings:\n${problems.map((p) => `  ${p.message}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

/** One setting, parsed; throws with the variable's name and what is allowed. */
export function readSetting<K extends SettingName>(name: K, env: Environment = process.env): Settings[K] {
  const parsed = SETTINGS[name].schema.safeParse(rawValue(name, env));
  if (!parsed.success) throw new SettingsError([{ name, message: problemOf(name, env) }]);
  return parsed.data as Settings[K];
}

/** Every problem in the environment (empty when all settings are valid). */
export function findSettingProblems(env: Environment = process.env): SettingProblem[] {
  return SETTING_NAMES.filter((name) => !SETTINGS[name].schema.safeParse(rawValue(name, env)).success).map((name) => ({
    name,
    message: problemOf(name, env),
  }));
}

/** All settings, parsed; throws a SettingsError listing every invalid one. */
export function readSettings(env: Environment = process.env): Settings {
  const problems = findSettingProblems(env);
  if (problems.length > 0) throw new SettingsError(problems);
  return Object.fromEntries(SETTING_NAMES.map((name) => [name, readSetting(name, env)])) as Settings;
}

/** Variables that look like ours but are not declared: most likely a typo that would be silently ignored. */
export function findUnknownSettings(env: Environment = process.env): string[] {
  return Object.keys(env)
    .filter((name) => /^(CUTOVER|REHEARSAL)_/.test(name) && !(name in SETTINGS))
    .sort();
}

/**
 * Called first by every entry point (console launcher, Next.js server, runner, CLI): a bad value
 * stops the start here, with the variable's name and what is allowed, and exit code 2.
 */
export function checkSettingsAtStart(tool: string, env: Environment = process.env): void {
  const problems = findSettingProblems(env);
  for (const unknown of findUnknownSettings(env)) {
    console.error(`[${tool}] warning: ${unknown} is not a setting of dxy-cutover and is ignored (see .env.example).`);
  }
  if (problems.length === 0) return;
  console.error(`[${tool}] refusing to start: invalid settings.`);
  for (const problem of problems) console.error(`[${tool}]   ${problem.message}`);
  process.exit(2);
}

function defaultText(name: SettingName): string {
  const value = SETTINGS[name].default;
  return value === null ? '—' : `\`${value}\``;
}

/** Where the generated settings table sits in README.md. */
export const README_SETTINGS_BEGIN = '<!-- settings:begin (generated from lib/settings.ts) -->';
export const README_SETTINGS_END = '<!-- settings:end -->';

/** The README's settings table (between the markers above). */
export function renderSettingsTable(): string {
  const lines = ['| variable | default | allowed | meaning |', '|---|---|---|---|'];
  for (const group of Object.keys(SETTING_GROUP_TITLES) as SettingGroup[]) {
    lines.push(`| **${SETTING_GROUP_TITLES[group]}** | | | |`);
    for (const name of SETTING_NAMES.filter((n) => SETTINGS[n].group === group)) {
      const s = SETTINGS[name];
      const cell = (text: string) => text.replaceAll('|', '\\|');
      lines.push(`| \`${name}\` | ${cell(defaultText(name))} | ${cell(s.allowed)} | ${cell(s.meaning)} |`);
    }
  }
  return lines.join('\n');
}

/** The contents of `.env.example`: every setting, commented out, with its meaning. */
export function renderEnvExample(): string {
  const out = [
    '# dxy-cutover settings. Generated from lib/settings.ts (npx tsx scripts/write-settings-docs.ts);',
    '# every variable is optional. Unset or empty means the default. Invalid values stop the start.',
  ];
  for (const group of Object.keys(SETTING_GROUP_TITLES) as SettingGroup[]) {
    out.push('', `# --- ${SETTING_GROUP_TITLES[group]} ---`);
    for (const name of SETTING_NAMES.filter((n) => SETTINGS[n].group === group)) {
      const s = SETTINGS[name];
      out.push(`# ${s.meaning}`, `# Allowed: ${s.allowed}.`);
      out.push(`# ${name}=${s.example ?? s.default ?? ''}`);
    }
  }
  return `${out.join('\n')}\n`;
}
