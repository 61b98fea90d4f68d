/**
 * Where phase 5's probe writes (./aggregator-probe.ts): a day before the symbol's earliest bar of
 * any timeframe, found through the (canonical_symbol, timeframe, ts_utc) indexes one timeframe at a
 * time, and before the earliest active legacy bar — a soft-deleted one is neither read by the
 * aggregator nor met by its upsert.
 */
import { describe, expect, it } from 'vitest';
import { useTestWorld } from '../../../../test-support/world-database';
import { probeAggregatorInput } from './aggregator-probe';

describe('the probe’s windows', () => {
  const world = useTestWorld({ variant: 'production', days: 1 }, { perTest: true });

  it('lie a day before the earliest bar of any timeframe, not only the first one the index holds', async () => {
    // A 4h EURUSD bar long before its 1m history: '4h' sorts after '1m' in the index, a scan that stopped at the first timeframe would miss it.
    await world.database.sql`
      insert into public.data_bars (canonical_symbol, provider_ticker, timeframe, ts_utc, open, high, low, close,
                                    vol, vwap, trade_count, is_partial, source, ingested_at, raw)
      values ('EURUSD', 'C:EURUSD', '4h', '2010-03-01T08:00:00Z', 1, 1, 1, 1, 0, 1, 0, false, 'massive', now(), '{}')`;
    const probe = await probeAggregatorInput(world.database.sql);
    expect(probe.probes.dataBarsOnly).toMatchObject({ symbol: 'EURUSD', from: '2010-02-28T08:00:00.000Z' });
    expect(probe).toMatchObject({ readsDerived: true, readsDataBars: true });
  });

  it('ignore soft-deleted legacy rows, and lie before the earliest active one', async () => {
    const { sql } = world.database;
    await sql`
      insert into public.derived_data_bars (canonical_symbol, timeframe, ts_utc, open, high, low, close, is_partial,
                                            source, ingested_at, deleted_at)
      values ('DXY', '1m', '2011-05-02T10:00:00Z', 100, 100, 100, 100, false, 'dxy', now(), now()),
             ('DXY', '5m', '2012-06-04T10:00:00Z', 100, 100, 100, 100, false, 'agg', now(), null)`;
    const probe = await probeAggregatorInput(sql);
    expect(probe.probes.derivedOnly).toMatchObject({ symbol: 'DXY', from: '2012-06-03T10:00:00.000Z' });
  });
});
