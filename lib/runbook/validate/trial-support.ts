/**
 * What validate's write trials share (docs/phases.md "Validate — before the night"): a transaction
 * that is always rolled back, with a lock and a statement timeout, whose verdict says which writers
 * it held back and for how long; phase 2's fix applied inside it first, as the plan's earlier steps
 * would have; and a handful of real legacy keys to write with — the oldest, where the night starts.
 */

import type { Sql, TransactionSql } from 'postgres';
import type { Database } from '../../db/connection';
import type { Clock } from '../../market/clock';
import { DXY_CLOSE_TOLERANCE } from '../../market/dxy';
import { MINUTE_MS } from '../../time-units';
import type { RunbookConfig } from '../engine/config';
import { isLockConflict } from '../engine/lock-conflict-retry';
import { inRolledBackTransaction } from '../engine/rolled-back';
import { planSchemaFix } from '../phases/2-schema/schema-report';
import { phase9SoftDelete } from '../phases/9-soft-delete/phase-9-soft-delete';
import { COMPARISON_INDEXES } from '../phases/shared/comparison-indexes';
import { copyLegacyRange } from '../phases/shared/copy-legacy';
import { copyOwnedSql } from '../phases/shared/copy-ownership';
import { normalizeEarlierAttemptSql } from '../phases/shared/earlier-attempt';
import { describeHold, type HeldLock, writerBlockingLocks } from './trial-locks';
import { errorText, noGo, type ValidationItem } from './verdict';

/** Keys a trial touches: a handful, this runs against production. */
export const TRIAL_KEYS = 5;
/** The migration run id a trial records its soft-deletes under: none is ever this (serial ids start at 1). */
export const TRIAL_MIGRATION_RUN = 0;
const TRIAL_STATEMENT_TIMEOUT_MS = 15_000;

export interface TrialContext {
  database: Database;
  /** The active migration run (phase 5 derives its replacement from its backup), or null before phase 1. */
  migrationRunId: number | null;
  clock: Clock;
  config: RunbookConfig;
}

/**
 * Runs `work` in a transaction that is always rolled back, with a lock timeout (a busy table fails
 * the trial instead of queueing the workers behind it) and a statement timeout (a trial stays short).
 * Its verdict ends with the writers it held back (phase 2's ALTER TABLE takes data_bars' ACCESS
 * EXCLUSIVE lock, kept until the rollback) and at most how long: the trial's whole transaction.
 */
async function rolledBack(
  sql: Sql,
  config: RunbookConfig,
  work: (tx: TransactionSql) => Promise<ValidationItem>,
): Promise<{ item: ValidationItem; hold: string }> {
  const started = performance.now();
  let held: HeldLock[] = [];
  const item = await inRolledBackTransaction(sql, async (tx) => {
    await tx.unsafe(`SET LOCAL lock_timeout = ${Number(config.ddlLockTimeoutMs)}`);
    await tx.unsafe(`SET LOCAL statement_timeout = ${TRIAL_STATEMENT_TIMEOUT_MS}`);
    const result = await work(tx);
    held = await writerBlockingLocks(tx);
    return result;
  });
  return { item, hold: describeHold(held, Math.round(performance.now() - started)) };
}

/** Attempts of a trial that met a lock conflict: the workers write every minute, a retry soon finds a gap. */
export const TRIAL_ATTEMPTS = 3;

/**
 * A trial, retried (rolled back each time) when a live writer's locks crossed it — a deadlock or the
 * lock timeout, which say nothing about whether the plan's statements work; its verdict notes the
 * retries. After TRIAL_ATTEMPTS such conflicts it is NO-GO: the night would meet the same contention.
 */
export async function trial(
  name: string,
  sql: Sql,
  config: RunbookConfig,
  work: (tx: TransactionSql) => Promise<ValidationItem>,
): Promise<ValidationItem> {
  const conflicts: string[] = [];
  for (;;) {
    const started = performance.now();
    try {
      const { item, hold } = await rolledBack(sql, config, work);
      const retried =
        conflicts.length === 0 ? '' : ` (after ${conflicts.length} retried lock conflicts: ${conflicts.join('; ')})`;
      return { ...item, reason: `${item.reason}${retried}; ${hold}` };
    } catch (error) {
      // A deadlock or the lock timeout says nothing about whether the plan's statements work.
      if (isLockConflict(error) && conflicts.length + 1 < TRIAL_ATTEMPTS) {
        conflicts.push(errorText(error));
        continue;
      }
      const retried = conflicts.length > 0 ? ` after ${conflicts.length} retried lock conflicts` : '';
      // How long its locks may have held writers back: the failed attempt's transaction, rollback included.
      const ms = Math.round(performance.now() - started);
      return noGo('write-trial', name, `failed (rolled back after ${ms} ms)${retried}: ${errorText(error)}`);
    }
  }
}

/** VALIDATE CONSTRAINT reads every row of the table; in a trial, after its ADD CONSTRAINT's lock, writers would wait for it. */
const isValidation = (text: string) => /\bVALIDATE\s+CONSTRAINT\b/i.test(text);
const isNormalization = (text: string) =>
  text === normalizeEarlierAttemptSql({ setsUpdatedAt: true }) ||
  text === normalizeEarlierAttemptSql({ setsUpdatedAt: false });
export const isComparisonIndex = (text: string) => COMPARISON_INDEXES.some((index) => text.includes(index.name));

/**
 * Phase 2's fix as its own statements, inside the trial's transaction. The comparison indexes are
 * left out (read-only helpers, built CONCURRENTLY on the night; building them here would lock
 * data_bars' writers for the trial), and so is the normalization, which has its own trial. A new
 * source CHECK stays NOT VALID here: it still checks every row a trial writes, and it is built
 * from the values present, so only a row written between the plan and the night's VALIDATE could
 * fail that; validating here would read all of data_bars while the ADD CONSTRAINT's ACCESS
 * EXCLUSIVE lock holds its writers (listed in `notValidated`). The unique key, when the fix must
 * build it, is built here without CONCURRENTLY (not allowed in a transaction): the copy's ON
 * CONFLICT needs it.
 */
export async function applySchemaFix(
  tx: TransactionSql,
): Promise<{ ran: string[]; skipped: string[]; notValidated: string[] }> {
  const ran: string[] = [];
  const skipped = new Set<string>();
  const notValidated = new Set<string>();
  for (let step = 0; step < 30; step++) {
    const plan = await planSchemaFix(tx);
    if (plan.blockedBy) throw new Error(`phase 2's fix is blocked: ${plan.blockedBy}`);
    const next = plan.statements.find(
      (s) => !isNormalization(s.sql) && !isComparisonIndex(s.sql) && !isValidation(s.sql),
    );
    for (const s of plan.statements) if (isComparisonIndex(s.sql)) skipped.add(s.sql);
    for (const s of plan.statements) if (isValidation(s.sql)) notValidated.add(s.sql);
    if (!next) return { ran, skipped: [...skipped], notValidated: [...notValidated] };
    const text = next.outsideTransaction ? next.sql.replace(/\bCONCURRENTLY\s+/i, '') : next.sql;
    await tx.unsafe(text);
    ran.push(text);
  }
  throw new Error('phase 2’s fix did not converge in 30 statements');
}

/** Legacy minutes trialRange looks at from each end of the history: an index walk of milliseconds. */
export const TRIAL_RANGE_SCAN = 10_000;

/**
 * A few legacy minutes the copy would write: from the oldest legacy minute data_bars lacks, where
 * the night's copy and phase 9's soft-delete start. Phase 9's batch walks active legacy minutes
 * oldest first until it has its batch; staged on the newest minutes instead, the soft-delete trials
 * walked the whole history first (3 s at two years, past the 15 s statement timeout at ten, with
 * data_bars' writers held all along by phase 2's ALTER TABLE). Only the oldest `scan` minutes are
 * looked at, then the newest (where legacy adds minutes): once the copy has run (a re-validation
 * after a rollback that kept the rows) a walk to the first missing minute would read the history.
 */
export async function trialRange(
  tx: TransactionSql,
  scan = TRIAL_RANGE_SCAN,
): Promise<{ from: Date; to: Date } | null> {
  for (const direction of ['asc', 'desc'] as const) {
    const [row] = await tx.unsafe<{ ts: Date }[]>(
      // A LATERAL probe per minute, not NOT EXISTS: with statistics that say data_bars holds no DXY
      // row, the planner's anti-join rescanned all of them for every minute (30 s at ten years).
      `SELECT d.ts AS ts FROM (
         SELECT ts_utc AS ts FROM public.derived_data_bars
          WHERE canonical_symbol = 'DXY' AND timeframe = '1m' AND deleted_at IS NULL
          ORDER BY ts_utc ${direction} LIMIT $1) d
        LEFT JOIN LATERAL (SELECT true AS present FROM public.data_bars n
                            WHERE n.canonical_symbol = 'DXY' AND n.timeframe = '1m' AND n.ts_utc = d.ts LIMIT 1) n ON true
        WHERE n.present IS NULL
        ORDER BY d.ts ${direction} LIMIT 1`,
      [scan],
    );
    if (row) return { from: row.ts, to: new Date(row.ts.getTime() + TRIAL_KEYS * MINUTE_MS) };
  }
  return null;
}

/**
 * Legacy minutes of the range the copy should have written and did not (absent from data_bars, or
 * its own row with another close). A minute another writer holds (calc_dxy_range_1m's row kept by a
 * rollback, an earlier attempt's) is not the copy's to write — phase 4 lists it, Reconcile repairs it
 * (docs/phases.md "Who owns a DXY row") — so it says nothing about whether the copy works.
 */
export async function notCopied(tx: TransactionSql, range: { from: Date; to: Date }): Promise<number> {
  const [row] = await tx.unsafe<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM public.derived_data_bars d
      WHERE d.canonical_symbol = 'DXY' AND d.timeframe = '1m' AND d.deleted_at IS NULL
        AND d.ts_utc >= $1 AND d.ts_utc < $2
        AND NOT EXISTS (SELECT 1 FROM public.data_bars o WHERE o.canonical_symbol = 'DXY' AND o.timeframe = '1m'
                          AND o.ts_utc = d.ts_utc AND NOT ${copyOwnedSql('o')})
        AND NOT EXISTS (SELECT 1 FROM public.data_bars n WHERE n.canonical_symbol = 'DXY' AND n.timeframe = '1m'
                          AND n.ts_utc = d.ts_utc AND abs(n.close - d.close) <= ${DXY_CLOSE_TOLERANCE} * abs(d.close))`,
    [range.from, range.to],
  );
  return row?.n ?? 0;
}

export async function copyRange(tx: TransactionSql, range: { from: Date; to: Date }): Promise<number> {
  const { copied, revised } = await copyLegacyRange(tx, range);
  return copied + revised;
}

/** Phase 9's soft-delete statement, as its preview lists it, bound for a trial batch. */
async function softDeleteStatement(ctx: TrialContext): Promise<string | null> {
  const preview = await phase9SoftDelete.preview({ ...ctx, migrationRunId: null, options: {} });
  // Found by what it does (deletes and records each row for the rollback), whatever its stage is called.
  const texts = preview.statements?.map((s) => s.text) ?? preview.sql;
  return texts.find((text) => /INSERT INTO cutover\.soft_deleted_rows/i.test(text)) ?? null;
}

async function softDelete(tx: TransactionSql, text: string, at: Date): Promise<number> {
  const result = await tx.unsafe(text, [[], TRIAL_KEYS, at, TRIAL_MIGRATION_RUN]);
  return result.count;
}

/**
 * A trial that starts where phase 9 would have left a few keys: the schema fixed, a few legacy
 * minutes copied, then soft-deleted with phase 9's own statement. `work` gets how many it deleted.
 * (Phase 9's trial itself, and the rollback's restore and back-fill trials, stand on this.)
 */
export async function trialAfterSoftDelete(
  ctx: TrialContext,
  params: { name: string; purpose: string },
  work: (tx: TransactionSql, deleted: number) => Promise<ValidationItem>,
): Promise<ValidationItem> {
  const text = await softDeleteStatement(ctx);
  if (!text)
    return noGo('write-trial', params.name, `phase 9’s preview lists no soft-delete statement ${params.purpose}`);
  return trial(params.name, ctx.database.sql, ctx.config, async (tx) => {
    await applySchemaFix(tx);
    const range = await trialRange(tx);
    if (range) await copyRange(tx, range);
    return work(tx, await softDelete(tx, text, ctx.clock.now()));
  });
}
