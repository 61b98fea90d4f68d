/**
 * Validate's copy trial judges the copy, not data_bars as a whole: a legacy minute another writer
 * holds with another close (calc_dxy_range_1m's row a kept rollback left) is not the copy's to write,
 * while one the copy wrote, or should have, with another close is counted.
 */
import { describe, expect, it } from 'vitest';
import { MIDWEEK_NOW } from '../../../test-support/test-world';
import { useTestWorld } from '../../../test-support/world-database';
import { MINUTE_MS } from '../../time-units';
import { inRolledBackTransaction } from '../engine/rolled-back';
import { copyLegacyRange } from '../phases/shared/copy-legacy';
import { notCopied } from './trial-support';

describe('the copy trial’s count of minutes not copied', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 1 });

  it('counts the copy’s own rows and absent minutes, never another writer’s row', async () => {
    const counts = await inRolledBackTransaction(test.database.sql, async (tx) => {
      const [legacy] = await tx<{ ts: Date }[]>`
        select max(ts_utc) as ts from public.derived_data_bars
         where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null`;
      const from = legacy?.ts as Date;
      const range = { from, to: new Date(from.getTime() + MINUTE_MS) };
      await tx`delete from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${from}`;
      const absent = await notCopied(tx, range);
      await copyLegacyRange(tx, range);
      const copied = await notCopied(tx, range);
      await tx`update public.data_bars set close = close * 1.01
                where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${from}`;
      const ownDiffers = await notCopied(tx, range);
      await tx`update public.data_bars set raw = (raw - 'copied_from') || '{"kind":"dxy"}'
                where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${from}`;
      const othersDiffers = await notCopied(tx, range);
      return { absent, copied, ownDiffers, othersDiffers };
    });
    expect(counts).toEqual({ absent: 1, copied: 0, ownDiffers: 1, othersDiffers: 0 });
  });
});
