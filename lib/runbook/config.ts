/**
 * Runbook settings from the environment, validated once. Defaults suit the rehearsal world and a
 * production database alike.
 */
import { readSetting } from '../settings';

export interface RunbookConfig {
  /** Role granted EXECUTE on calc_dxy_range_1m when it exists (PUBLIC never is). */
  workerRole: string;
  /** Rows per copy batch upper bound; batches also end at a time boundary. */
  copyBatchRows: number;
  /** Rows per phase 9 soft-delete batch (each batch commits with its record of the rows). */
  softDeleteBatchRows: number;
  /** Where phase 1 writes its pg_dump file, or null to skip the dump. */
  dumpDirectory: string | null;
  /** How long a claimed run's lease lasts without a heartbeat. */
  leaseSeconds: number;
  /** Simulated minutes phase 7 and the rollback wait for the data to prove a deployment. */
  deploymentProofMinutes: number;
  /** Lock timeout for DDL on live tables, so a busy table fails the step instead of queueing writers. */
  ddlLockTimeoutMs: number;
  /** How long a runner keeps stepping one run per tick before it lets the tick end. */
  stepBudgetMs: number;
  /**
   * statement_timeout of one copy batch. A batch that hits it is retried with half the rows
   * (never skipped), so one slow range cannot hold locks or a connection for long.
   */
  batchStatementTimeoutMs: number;
  /** One copy batch per runner tick (about one a second), to keep the load low on a busy primary. */
  copyPaced: boolean;
  /** Open-market hours that passed the window needs; short of them it extends hour by hour. */
  windowMinOpenHours: number;
}

function positiveInt(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number (got "${raw}")`);
  return value;
}

export function runbookConfigFromEnv(env: Record<string, string | undefined> = process.env): RunbookConfig {
  const dump = env.CUTOVER_PG_DUMP_DIR;
  return {
    workerRole: env.CUTOVER_WORKER_ROLE ?? 'service_role',
    copyBatchRows: positiveInt(env, 'CUTOVER_COPY_BATCH_ROWS', 20_000),
    softDeleteBatchRows: positiveInt(env, 'CUTOVER_SOFT_DELETE_BATCH_ROWS', 20_000),
    dumpDirectory: dump === 'off' ? null : (dump ?? `${env.CUTOVER_DATA_DIR ?? '.data'}/backups`),
    leaseSeconds: positiveInt(env, 'CUTOVER_LEASE_SECONDS', 30),
    deploymentProofMinutes: positiveInt(env, 'CUTOVER_DEPLOYMENT_PROOF_MINUTES', 20),
    ddlLockTimeoutMs: positiveInt(env, 'CUTOVER_DDL_LOCK_TIMEOUT_MS', 5000),
    stepBudgetMs: 2000,
    batchStatementTimeoutMs: positiveInt(env, 'CUTOVER_BATCH_STATEMENT_TIMEOUT_MS', 15_000),
    copyPaced: env.CUTOVER_COPY_PACED === '1',
    windowMinOpenHours: readSetting('CUTOVER_WINDOW_MIN_OPEN_HOURS', env),
  };
}
