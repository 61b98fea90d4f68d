/**
 * The rollback's check of each restore batch, in the batch's transaction after the restore and before its commit
 * (docs/phases.md "Rollback"). By the batch's own keys (the records its statement marked): every row it restored is
 * active again, legacy DXY 1m at its recorded minute, with the values recorded when phase 9 soft-deleted it (records
 * from before migration 0022 have none: by key only); every row it skipped has its key held by exactly one active row.
 * Anything else fails the batch, which rolls back whole: no row restored, no record marked.
 */
import type { TransactionSql } from 'postgres';
import { textArrayLiteral } from '../../../db/text-array';
import { utcIsoSql } from '../../../db/utc-iso-sql';

export interface RestoreBatchCheck {
  restored: number;
  /** Restored rows whose record holds no values (checked by key only). */
  keyOnly: number;
  skipped: number;
  /** Restored rows not active, not at their recorded minute, or with other values; skipped keys without one active row. */
  wrong: number;
  samples: string[];
  first: string | null;
  last: string | null;
}

/** What a rollback run's checkpoint keeps of its batches' checks. */
export interface RestoreChecks {
  batches: number;
  rows: number;
  restored: number;
  skipped: number;
  keyOnly: number;
  first: string | null;
  last: string | null;
}

const RESTORE_CHECK_SQL = `WITH restored AS (
  SELECT s.derived_id, s.ts_utc, s.close IS NULL AS key_only,
         CASE WHEN s.restored_at IS NULL THEN 'record not marked restored'
              WHEN d.id IS NULL THEN 'row gone'
              WHEN d.deleted_at IS NOT NULL THEN 'still soft-deleted'
              WHEN d.canonical_symbol <> 'DXY' OR d.timeframe <> '1m' OR d.ts_utc <> s.ts_utc THEN 'not the recorded DXY 1m minute'
              WHEN s.close IS NOT NULL AND (d.open, d.high, d.low, d.close) IS DISTINCT FROM (s.open, s.high, s.low, s.close)
                THEN 'values differ from the record (' || s.close::text || ' recorded, ' || d.close::text || ' now)'
         END AS wrong
    FROM unnest($2::text::bigint[]) r(id)
    JOIN cutover.soft_deleted_rows s ON s.migration_run_id = $1::int AND s.derived_id = r.id
    LEFT JOIN public.derived_data_bars d ON d.id = s.derived_id
), skipped AS (
  SELECT s.derived_id, s.ts_utc,
         CASE WHEN s.restored_at IS NULL THEN 'record not marked'
              WHEN (SELECT count(*) FROM public.derived_data_bars a
                     WHERE a.canonical_symbol = 'DXY' AND a.timeframe = '1m' AND a.ts_utc = s.ts_utc AND a.deleted_at IS NULL) <> 1
                THEN 'skipped, but its key has no single active row'
         END AS wrong
    FROM unnest($3::text::bigint[]) r(id)
    JOIN cutover.soft_deleted_rows s ON s.migration_run_id = $1::int AND s.derived_id = r.id
), judged AS (
  SELECT derived_id, ts_utc, key_only, wrong, true AS was_restored FROM restored
  UNION ALL SELECT derived_id, ts_utc, false, wrong, false FROM skipped
)
SELECT count(*) FILTER (WHERE was_restored)::int AS restored,
       count(*) FILTER (WHERE was_restored AND key_only)::int AS key_only,
       count(*) FILTER (WHERE NOT was_restored)::int AS skipped,
       count(*) FILTER (WHERE wrong IS NOT NULL)::int AS wrong,
       (array_agg(${utcIsoSql('ts_utc')} || ' (id ' || derived_id::text || ': ' || wrong || ')' ORDER BY ts_utc)
          FILTER (WHERE wrong IS NOT NULL))[1:5] AS samples,
       min(ts_utc) AS first, max(ts_utc) AS last
  FROM judged`;

export async function checkRestoreBatch(
  tx: TransactionSql,
  params: { migrationRunId: number; restoredIds: readonly string[]; skippedIds: readonly string[] },
): Promise<RestoreBatchCheck> {
  const [row] = await tx.unsafe<
    {
      restored: number;
      key_only: number;
      skipped: number;
      wrong: number;
      samples: string[] | null;
      first: Date | null;
      last: Date | null;
    }[]
  >(RESTORE_CHECK_SQL, [
    params.migrationRunId,
    textArrayLiteral(params.restoredIds),
    textArrayLiteral(params.skippedIds),
  ]);
  return {
    restored: row?.restored ?? 0,
    keyOnly: row?.key_only ?? 0,
    skipped: row?.skipped ?? 0,
    wrong: row?.wrong ?? 0,
    samples: row?.samples ?? [],
    first: row?.first?.toISOString() ?? null,
    last: row?.last?.toISOString() ?? null,
  };
}

/** Why the batch must not commit, or null. Every row the statement handled must be found by its record. */
export function restoreBatchFailure(
  check: RestoreBatchCheck,
  handled: { restored: number; skipped: number },
): string | null {
  const problems = [
    check.restored !== handled.restored || check.skipped !== handled.skipped
      ? `${check.restored + check.skipped} of the ${handled.restored + handled.skipped} rows it handled found by their record`
      : null,
    check.wrong > 0 ? `${check.wrong} rows not restored as recorded: ${check.samples.join(', ')}` : null,
  ].filter((p): p is string => p !== null);
  return problems.length === 0 ? null : problems.join('; ');
}

export function addRestoreCheck(checks: RestoreChecks | undefined, check: RestoreBatchCheck): RestoreChecks {
  return {
    batches: (checks?.batches ?? 0) + 1,
    rows: (checks?.rows ?? 0) + check.restored + check.skipped,
    restored: (checks?.restored ?? 0) + check.restored,
    skipped: (checks?.skipped ?? 0) + check.skipped,
    keyOnly: (checks?.keyOnly ?? 0) + check.keyOnly,
    first: checks?.first ?? check.first,
    last: check.last ?? checks?.last ?? null,
  };
}
