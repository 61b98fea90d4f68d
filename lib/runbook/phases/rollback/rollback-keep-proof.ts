/**
 * The rollback's "keep" (docs/phases.md, Rollback): the DXY rows in data_bars — the ones the
 * migration wrote included — stay. Proven against a record taken when the rollback starts, in its
 * checkpoint: per timeframe and UTC day, the number of rows and an order-independent checksum of
 * each row's key and value. At the end the same rows (those that existed at the start: ids up to
 * the largest then) must give the same record; rows added since are allowed (a superset), rows
 * removed or changed are named by day. A count compared with a count proves nothing.
 */
import type { SqlOrTx } from '../../../db/connection';
import type { Check } from '../../engine/verification';

/** One timeframe's day of DXY rows in data_bars. */
export interface KeptBucket {
  timeframe: string;
  day: string;
  rows: number;
  checksum: string;
}

export interface KeptRowsRecord {
  /** The largest DXY id in data_bars at the start (text: a bigint); 0 when there were none. */
  maxId: string;
  rows: number;
  buckets: KeptBucket[];
}

/** The key and the values a kept row must still have; bookkeeping columns (ingested_at) may be rewritten by an upsert. */
const ROW_VALUE = `md5(concat_ws('|', d.timeframe, to_char(d.ts_utc AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
                                d.open::text, d.high::text, d.low::text, d.close::text, d.vol::text, d.source))`;

async function readBuckets(sql: SqlOrTx, maxId: string): Promise<KeptBucket[]> {
  return sql.unsafe<KeptBucket[]>(
    `SELECT d.timeframe, to_char(d.ts_utc AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*) AS rows,
            sum(('x' || substr(${ROW_VALUE}, 1, 15))::bit(60)::bigint)::text AS checksum
       FROM public.data_bars d
      WHERE d.canonical_symbol = 'DXY' AND d.id <= $1::bigint
      GROUP BY 1, 2 ORDER BY 1, 2`,
    [maxId],
  );
}

/** Taken in the rollback's first step, in the transaction that stores it in the checkpoint. */
export async function recordKeptRows(sql: SqlOrTx): Promise<KeptRowsRecord> {
  const [max] = await sql<{ max: string }[]>`
    select coalesce(max(id), 0)::text as max from public.data_bars where canonical_symbol = 'DXY'`;
  const maxId = max?.max ?? '0';
  const buckets = await readBuckets(sql, maxId);
  return { maxId, rows: buckets.reduce((n, b) => n + b.rows, 0), buckets };
}

/** The verification: every row there at the start still there, by key and value. */
export async function compareKeptRows(sql: SqlOrTx, record: KeptRowsRecord | undefined): Promise<Check> {
  const name = 'DXY rows in data_bars kept (every row there when the rollback started, by key and value)';
  if (!record) {
    return { name, passed: false, detail: 'no record of the DXY rows was taken when this rollback started' };
  }
  const now = await readBuckets(sql, record.maxId);
  const [total] = await sql<{ n: number }[]>`
    select count(*) as n from public.data_bars where canonical_symbol = 'DXY'`;
  const key = (b: { timeframe: string; day: string }) => `${b.timeframe} ${b.day}`;
  const current = new Map(now.map((b) => [key(b), b]));
  const differences: string[] = [];
  for (const before of record.buckets) {
    const after = current.get(key(before));
    if (!after) differences.push(`${key(before)}: all ${before.rows} rows gone`);
    else if (after.rows !== before.rows)
      differences.push(`${key(before)}: ${before.rows} rows at the start, ${after.rows} of them now`);
    else if (after.checksum !== before.checksum)
      differences.push(
        `${key(before)}: ${before.rows} rows, values changed (checksum ${before.checksum} → ${after.checksum})`,
      );
  }
  const recorded = new Set(record.buckets.map(key));
  // An id at or below the start's largest that the record did not see is a row re-inserted since: its day changed.
  for (const after of now)
    if (!recorded.has(key(after))) differences.push(`${key(after)}: ${after.rows} rows not there at the start`);
  const added = (total?.n ?? 0) - now.reduce((n, b) => n + b.rows, 0);
  return {
    name,
    passed: differences.length === 0,
    detail:
      differences.length === 0
        ? `all ${record.rows} DXY rows there at the start are unchanged (${record.buckets.length} days compared by checksum of key and value); ${added} added since`
        : `${differences.length} days differ from the record taken at the start: ${differences.slice(0, 10).join('; ')}`,
    evidence: { maxId: record.maxId, rowsAtStart: record.rows, added, differences: differences.slice(0, 50) },
  };
}
