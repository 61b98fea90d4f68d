/**
 * The aggregator's 1m→5m function after the switch: data_bars only. The rehearsal world's
 * definition ships with the console; for a production aggregator with another body, point
 * CUTOVER_AGGREGATOR_5M_SQL_FILE at the replacement definition (it is shown before it runs).
 */
import { readFileSync } from 'node:fs';
import type { Sql, TransactionSql } from 'postgres';
import { AGGREGATE_1M_TO_5M_DATA_BARS_ONLY_SQL } from '../market/rehearsal/legacy-functions-sql';

export function replacementAggregatorSql(env: Record<string, string | undefined> = process.env): string {
  const file = env.CUTOVER_AGGREGATOR_5M_SQL_FILE;
  return file ? readFileSync(file, 'utf8') : AGGREGATE_1M_TO_5M_DATA_BARS_ONLY_SQL;
}

class RollbackProbe extends Error {}

/**
 * Behavioural check, in a transaction that is rolled back: a 1m bar that exists only in
 * derived_data_bars for a probe symbol must not produce a 5m bar when the function reads
 * data_bars only, and must when it still reads both tables.
 */
export async function aggregatorReadsDerived(sql: Sql | TransactionSql): Promise<boolean> {
  const window = new Date('2000-01-03T10:00:00Z');
  let readsDerived = false;
  const probe = async (tx: TransactionSql) => {
    for (let i = 0; i < 5; i++) {
      await tx`insert into public.derived_data_bars (canonical_symbol, timeframe, ts_utc, open, high, low, close, vol, source)
               values ('__CUTOVER_PROBE__', '1m', ${new Date(window.getTime() + i * 60_000)}, 1, 1, 1, 1, 0, 'probe')`;
    }
    const [row] = await tx<{ n: number }[]>`
      select public.aggregate_1m_to_5m_window('__CUTOVER_PROBE__', ${window}, ${new Date(window.getTime() + 300_000)}) as n`;
    readsDerived = Number(row?.n ?? 0) > 0;
    throw new RollbackProbe();
  };
  try {
    if ('savepoint' in sql) await sql.savepoint(probe);
    else await sql.begin(probe);
  } catch (error) {
    if (!(error instanceof RollbackProbe)) throw error;
  }
  return readsDerived;
}
