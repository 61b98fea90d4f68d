/**
 * Phase 4's copy of a range data_bars holds no DXY minute of: a plain INSERT, and the revising upsert
 * when the range is not empty or a key was taken between the emptiness read and the insert; every
 * legacy minute once, another writer's row never overwritten (docs/phases.md "Who owns a DXY row").
 */
import { describe, expect, it } from 'vitest';
import { MIDWEEK_NOW } from '../../../../test-support/test-world';
import { useTestWorld } from '../../../../test-support/world-database';
import type { SqlOrTx } from '../../../db/connection';
import { HOUR_MS } from '../../../time-units';
import { inRolledBackTransaction } from '../../engine/rolled-back';
import { type BoundStatement, runBound } from '../../engine/statements';
import { copyLegacyIntoEmptyRangeSql, copyLegacyRange } from './copy-legacy';

const RANGE = { from: new Date(MIDWEEK_NOW.getTime() - 2 * HOUR_MS), to: new Date(MIDWEEK_NOW.getTime() - HOUR_MS) };

/** Runs statements as the phase's executor does, naming each: the plain INSERT or the upsert. */
function recordingExecutor(ran: string[], before?: (statement: 'plain' | 'upsert') => Promise<void>) {
  return async (sql: SqlOrTx, statement: BoundStatement) => {
    const which = statement.text === copyLegacyIntoEmptyRangeSql().trim() ? 'plain' : 'upsert';
    ran.push(which);
    await before?.(which);
    return runBound(sql, statement);
  };
}

async function legacyMinutes(sql: SqlOrTx): Promise<Date[]> {
  const rows = await sql<{ ts_utc: Date }[]>`
    select ts_utc from public.derived_data_bars
     where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null
       and ts_utc >= ${RANGE.from} and ts_utc < ${RANGE.to}
     order by ts_utc`;
  return rows.map((r) => r.ts_utc);
}

/** What data_bars holds for the range: minutes, and those the copy owns with legacy's close. */
async function dataBarsOfRange(sql: SqlOrTx): Promise<{ rows: number; copiedWithLegacyClose: number }> {
  const [row] = await sql<{ rows: number; copiedWithLegacyClose: number }[]>`
    select count(*)::int as rows,
           count(*) filter (where n.raw->>'copied_from' = 'derived_data_bars' and n.close = d.close)::int
             as "copiedWithLegacyClose"
      from public.data_bars n
      left join public.derived_data_bars d
        on d.canonical_symbol = 'DXY' and d.timeframe = '1m' and d.deleted_at is null and d.ts_utc = n.ts_utc
     where n.canonical_symbol = 'DXY' and n.timeframe = '1m' and n.ts_utc >= ${RANGE.from} and n.ts_utc < ${RANGE.to}`;
  return row ?? { rows: 0, copiedWithLegacyClose: 0 };
}

/** The new writer's row for `minute` (calc_dxy_range_1m's form), with a close of its own; committed. */
async function newWriterRow(sql: SqlOrTx, minute: Date): Promise<void> {
  await sql`
    insert into public.data_bars (canonical_symbol, provider_ticker, timeframe, ts_utc, open, high, low, close,
                                  vol, vwap, trade_count, is_partial, source, ingested_at, raw)
    select 'DXY', null, '1m', ts_utc, open, high, low, close * 1.001, coalesce(vol, 0), vwap, trade_count, false,
           'synthetic', ingested_at, '{"kind": "dxy", "version": 1}'::jsonb
      from public.derived_data_bars
     where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null and ts_utc = ${minute}`;
}

describe('the copy of a range data_bars holds no DXY minute of', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 1 });

  it('inserts every legacy minute with the plain INSERT, and a second copy upserts and writes nothing', async () => {
    const ran: string[] = [];
    const result = await inRolledBackTransaction(test.database.sql, async (tx) => {
      const minutes = await legacyMinutes(tx);
      const first = await copyLegacyRange(tx, RANGE, recordingExecutor(ran));
      const again = await copyLegacyRange(tx, RANGE, recordingExecutor(ran));
      return { minutes: minutes.length, first, again, held: await dataBarsOfRange(tx) };
    });
    expect(result.minutes).toBeGreaterThan(50);
    expect(ran).toEqual(['plain', 'upsert']);
    expect(result.first).toEqual({ copied: result.minutes, revised: 0 });
    expect(result.again).toEqual({ copied: 0, revised: 0 });
    expect(result.held).toEqual({ rows: result.minutes, copiedWithLegacyClose: result.minutes });
  });

  it('takes the revising copy when a key is taken after the range was found empty, leaving that writer’s row', async () => {
    const { sql } = test.database;
    const [taken] = await legacyMinutes(sql);
    if (!taken) throw new Error('no legacy minute in the range');
    const ran: string[] = [];
    try {
      const result = await inRolledBackTransaction(sql, async (tx) => {
        const minutes = await legacyMinutes(tx);
        // The new writer commits its row for the range's first minute between the emptiness read and the INSERT.
        const copied = await copyLegacyRange(
          tx,
          RANGE,
          recordingExecutor(ran, async (which) => {
            if (which === 'plain') await newWriterRow(sql, taken);
          }),
        );
        return { minutes: minutes.length, copied, held: await dataBarsOfRange(tx) };
      });
      expect(ran).toEqual(['plain', 'upsert']);
      // Every other minute copied once; the taken one is the new writer's and keeps its own close.
      expect(result.copied).toEqual({ copied: result.minutes - 1, revised: 0 });
      expect(result.held).toEqual({ rows: result.minutes, copiedWithLegacyClose: result.minutes - 1 });
      const [kept] = await sql<{ raw: unknown }[]>`
        select raw from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${taken}`;
      expect(kept?.raw).toEqual({ kind: 'dxy', version: 1 });
    } finally {
      await sql`delete from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${taken}`;
    }
  });

  it('upserts a range that already holds a DXY minute, without trying the plain INSERT', async () => {
    const ran: string[] = [];
    const result = await inRolledBackTransaction(test.database.sql, async (tx) => {
      const [taken] = await legacyMinutes(tx);
      if (!taken) throw new Error('no legacy minute in the range');
      await newWriterRow(tx, taken);
      return copyLegacyRange(tx, RANGE, recordingExecutor(ran));
    });
    expect(ran).toEqual(['upsert']);
    expect(result.copied).toBeGreaterThan(50);
  });
});
