/**
 * cutover.rehearsal_ingestion and cutover.rehearsal_revisions: the simulated tick-factory's
 * progress per provider symbol (how far each symbol's bars have landed, where its random walk
 * stands, how late it currently is, whether the provider holds it back) and the component bars the
 * simulated provider revised. Written in the same transaction as the bars they describe, so a
 * runner restart neither loses nor doubles a bar. What the schedule means lives in
 * lib/market/rehearsal/ingest-schedule.ts.
 */
import type { SqlOrTx } from '../connection';
import { rehearsalIngestion, rehearsalRevisions } from '../console-schema';
import { columnsOf, rowsOf } from './rows';

export type SymbolIngestion = typeof rehearsalIngestion.$inferSelect;
export type ProviderRevision = typeof rehearsalRevisions.$inferSelect;

export async function readSymbolIngestion(sql: SqlOrTx): Promise<SymbolIngestion[]> {
  const rows = await sql`select ${columnsOf(sql, rehearsalIngestion)} from cutover.rehearsal_ingestion order by symbol`;
  return rowsOf(rehearsalIngestion, rows);
}

/** Adds the symbols that have no row yet (a new world, or one created before per-symbol progress). */
export async function insertMissingSymbolIngestion(sql: SqlOrTx, rows: readonly SymbolIngestion[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`insert into cutover.rehearsal_ingestion (symbol, next_minute, last_close, lag_minutes, held_until)
            select * from unnest(${rows.map((r) => r.symbol)}::text[],
                                 ${rows.map((r) => r.nextMinute.toISOString())}::timestamptz[],
                                 ${rows.map((r) => r.lastClose)}::float8[],
                                 ${rows.map((r) => r.lagMinutes)}::int[],
                                 ${rows.map((r) => r.heldUntil?.toISOString() ?? null)}::timestamptz[])
            on conflict (symbol) do nothing`;
}

/** Writes every symbol's progress in one statement (one tick-factory run). */
export async function saveSymbolIngestion(sql: SqlOrTx, rows: readonly SymbolIngestion[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`update cutover.rehearsal_ingestion i
               set next_minute = u.next_minute, last_close = u.last_close, lag_minutes = u.lag_minutes,
                   held_until = u.held_until
              from unnest(${rows.map((r) => r.symbol)}::text[],
                          ${rows.map((r) => r.nextMinute.toISOString())}::timestamptz[],
                          ${rows.map((r) => r.lastClose)}::float8[],
                          ${rows.map((r) => r.lagMinutes)}::int[],
                          ${rows.map((r) => r.heldUntil?.toISOString() ?? null)}::timestamptz[])
                   as u(symbol, next_minute, last_close, lag_minutes, held_until)
             where i.symbol = u.symbol`;
}

/**
 * The provider holds `symbol` back until `until` (simulated): none of its bars land before then,
 * then all of them at once. The tick-factory starts such holds at random; tests start one here.
 */
export async function holdBackSymbol(sql: SqlOrTx, params: { symbol: string; until: Date }): Promise<void> {
  await sql`update cutover.rehearsal_ingestion set held_until = ${params.until} where symbol = ${params.symbol}`;
}

export async function insertProviderRevision(sql: SqlOrTx, revision: Omit<ProviderRevision, 'id'>): Promise<void> {
  await sql`insert into cutover.rehearsal_revisions (symbol, ts_utc, old_close, new_close, revised_at)
            values (${revision.symbol}, ${revision.tsUtc}, ${revision.oldClose}, ${revision.newClose},
                    ${revision.revisedAt})`;
}

/** Every revision so far, oldest first. */
export async function listProviderRevisions(sql: SqlOrTx): Promise<ProviderRevision[]> {
  const rows = await sql`select ${columnsOf(sql, rehearsalRevisions)} from cutover.rehearsal_revisions order by id`;
  return rowsOf(rehearsalRevisions, rows);
}
