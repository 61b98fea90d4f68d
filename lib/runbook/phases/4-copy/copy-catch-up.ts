/**
 * Phase 4's catch-up of provider revisions (docs/phases.md, phase 4): the copy's batches run in
 * minute order, so a legacy minute revised after its batch committed — or a minute
 * calc_dxy_range_1m owns whose components were revised — would make the verification fail on a
 * difference nobody could have prevented. The last batch's transaction therefore re-applies
 * legacy's revisions to the copy's own rows and re-derives the new writer's stale rows over the
 * minutes a revision can reach since phase 4 started (the new writer's own rows wherever they are:
 * a rollback that kept data_bars leaves the first run's), and records when it looked (the database's
 * clock, just before it read legacy). The verification then excuses only differences whose legacy
 * row changed after that moment (updated_at, which its trigger sets); phase 5's bridge carries
 * those across. No margin: a revision whose transaction began before that moment but committed
 * after the catch-up read legacy is not excused, and fails the verification — the safe side; a
 * retry of phase 4 catches up again.
 */
import type { TransactionSql } from 'postgres';
import { type PlannedStatement, planned, type StatementExecutor } from '../../engine/statements';
import {
  gapFillStart,
  rederiveNewWriterMinutes,
  rederiveNewWriterMinutesSql,
  reviseCopiedLegacyMinutes,
  reviseCopiedLegacyMinutesSql,
} from '../shared/copy-legacy';
import { newWriterOwnedSql } from '../shared/copy-ownership';
import type { VerifiedWindow } from './copy-batch-check';

const CATCH_UP_END = 'the end of the last batch (exclusive)';

export function catchUpStatements(): PlannedStatement[] {
  return [
    planned('copy', reviseCopiedLegacyMinutesSql(), [
      'phase 4’s first copy start, less the 2 h a legacy minute may land late',
      CATCH_UP_END,
    ]),
    planned('copy', rederiveNewWriterMinutesSql(), [
      'the oldest DXY row calc_dxy_range_1m owns, or phase 4’s first copy start less 2 h if later',
      CATCH_UP_END,
    ]),
  ];
}

export interface CatchUp {
  /** When the catch-up read legacy (the database's clock): differences from revisions after it are excused. */
  at: string;
  from: string;
  revised: number;
  rederived: number;
}

export async function catchUpRevisions(
  tx: TransactionSql,
  params: {
    migrationRunId: number;
    to: Date;
    /**
     * The oldest DXY row calc_dxy_range_1m owns, as the batches' checks found it (null: none), or
     * undefined when they did not see the whole history: it is then looked for here.
     */
    newWriterFirst?: string | null;
  },
  write: StatementExecutor,
): Promise<CatchUp> {
  const [clock] = await tx<{ at: Date }[]>`select clock_timestamp() as at`;
  const from = (await gapFillStart(tx, { migrationRunId: params.migrationRunId })) ?? params.to;
  const revised = await reviseCopiedLegacyMinutes(tx, { from, to: params.to }, write);
  // The new writer's rows may be older than this run (a rollback that kept data_bars leaves the first
  // run's): each is re-derived where a revision since made it stale, however far back it is.
  // Looking for it walks every DXY row through the heap (6 s on two years): the batches' checks
  // found it while their pages were hot, so this runs only after batches that did not check.
  const oldest =
    params.newWriterFirst === undefined
      ? await readNewWriterFirst(tx)
      : params.newWriterFirst
        ? new Date(params.newWriterFirst)
        : null;
  const rederiveFrom = oldest && oldest < from ? oldest : from;
  // Only the new writer's rows are re-derived: when the batches saw none, there is nothing to read the components for.
  const rederived =
    params.newWriterFirst === null
      ? []
      : await rederiveNewWriterMinutes(tx, { from: rederiveFrom, to: params.to }, write);
  return {
    at: (clock?.at ?? new Date()).toISOString(),
    from: rederiveFrom.toISOString(),
    revised: revised.length,
    rederived: rederived.length,
  };
}

/** The oldest DXY row calc_dxy_range_1m owns, read through the heap (every DXY row). */
async function readNewWriterFirst(tx: TransactionSql): Promise<Date | null> {
  const [row] = await tx.unsafe<{ ts: Date | null }[]>(
    `SELECT min(n.ts_utc) AS ts FROM public.data_bars n
      WHERE n.canonical_symbol = 'DXY' AND n.timeframe = '1m' AND ${newWriterOwnedSql('n')}`,
  );
  return row?.ts ?? null;
}

/**
 * The new writer's oldest row as the batches found it, when their window starts at the beginning of
 * the history the copy started from; undefined (look for it) otherwise. Rows before the first legacy
 * minute have no legacy minute to be re-derived against, and the catch-up ends at the window's end.
 */
export function knownNewWriterFirst(
  window: VerifiedWindow | undefined,
  historyFrom: string | undefined,
): string | null | undefined {
  if (!window || !historyFrom) return undefined;
  return new Date(window.from).getTime() <= new Date(historyFrom).getTime() ? window.newWriterFirst : undefined;
}

/** The moment after which a legacy change excuses a difference, or null when the copy never caught up. */
export function revisedSince(catchUp: CatchUp | undefined): Date | null {
  return catchUp ? new Date(catchUp.at) : null;
}
