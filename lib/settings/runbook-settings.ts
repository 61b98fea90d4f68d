/**
 * The settings the phases and the runner read: batch sizes and timeouts, the backup, the market calendar, leases,
 * proofs, approvals and the window (group `runbook` of the settings table).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseMarketCalendar } from '../market-calendar-format';
import { declare } from './setting-declaration';
import { optionalText, wholeNumber, zeroOrOne } from './value-schemas';

export const RUNBOOK_SETTINGS = {
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
