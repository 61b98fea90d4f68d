/**
 * Runbook settings, from the one settings module (lib/settings.ts: names, defaults, what is
 * allowed). Defaults suit the rehearsal world and a production database alike.
 */
import { readSetting } from '../../settings';

export interface RunbookConfig {
  /** Role granted EXECUTE on calc_dxy_range_1m when it exists (PUBLIC never is). */
  workerRole: string;
  /** Rows per copy batch upper bound; batches also end at a time boundary. */
  copyBatchRows: number;
  /** Rows per phase 9 soft-delete batch (each batch commits with its record of the rows). */
  softDeleteBatchRows: number;
  /** Most data_bars rows one Reconcile may write; over it the request is refused (narrow the range). */
  reconcileMaxRows: number;
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
  /** Wall-clock minutes an approval stays valid before a runner claims the approved run. */
  approvalTtlMinutes: number;
  /**
   * Whether the batched phases wait on the database's own signals (./pacing/, docs/operations.md
   * "Pacing"); absent: they do. The integration tests' driver turns it off: their databases share one
   * server whose WAL and checkpoints the other test files drive. The operator's pace and batch size apply either way.
   */
  pacingSignals?: boolean;
}

export function runbookConfigFromEnv(env: Record<string, string | undefined> = process.env): RunbookConfig {
  const dump = readSetting('CUTOVER_PG_DUMP_DIR', env);
  return {
    workerRole: readSetting('CUTOVER_WORKER_ROLE', env),
    copyBatchRows: readSetting('CUTOVER_COPY_BATCH_ROWS', env),
    softDeleteBatchRows: readSetting('CUTOVER_SOFT_DELETE_BATCH_ROWS', env),
    reconcileMaxRows: readSetting('CUTOVER_RECONCILE_MAX_ROWS', env),
    dumpDirectory: dump === 'off' ? null : (dump ?? `${readSetting('CUTOVER_DATA_DIR', env)}/backups`),
    leaseSeconds: readSetting('CUTOVER_LEASE_SECONDS', env),
    deploymentProofMinutes: readSetting('CUTOVER_DEPLOYMENT_PROOF_MINUTES', env),
    ddlLockTimeoutMs: readSetting('CUTOVER_DDL_LOCK_TIMEOUT_MS', env),
    stepBudgetMs: 2000,
    batchStatementTimeoutMs: readSetting('CUTOVER_BATCH_STATEMENT_TIMEOUT_MS', env),
    copyPaced: readSetting('CUTOVER_COPY_PACED', env),
    windowMinOpenHours: readSetting('CUTOVER_WINDOW_MIN_OPEN_HOURS', env),
    approvalTtlMinutes: readSetting('CUTOVER_APPROVAL_TTL_MINUTES', env),
  };
}
