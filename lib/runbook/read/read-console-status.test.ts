import { beforeAll, describe, expect, it } from 'vitest';
import { MIDWEEK_NOW } from '../../../test-support/test-world';
import { useTestDatabase, useTestWorld } from '../../../test-support/world-database';
import { readConsoleStatus } from './read-console-status';

describe('readConsoleStatus', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW });
  const bare = useTestDatabase();
  beforeAll(async () => {
    // Pin rehearsal time to the world's end so freshness is deterministic.
    await test.database
      .sql`update cutover.rehearsal_clock set anchor_sim = ${MIDWEEK_NOW}, anchor_wall = now(), speed = 0.000001`;
  });

  it('counts DXY rows exactly as independent SQL does', async () => {
    await test.database.sql`update public.derived_data_bars set deleted_at = now()
                             where id in (select id from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' limit 7)`;
    const status = await readConsoleStatus(test.database);
    const [expected] = await test.database.sql<{ active: number; deleted: number; m5: number; h1: number }[]>`
      select count(*) filter (where timeframe = '1m' and deleted_at is null)::int as active,
             count(*) filter (where timeframe = '1m' and deleted_at is not null)::int as deleted,
             count(*) filter (where timeframe = '5m' and deleted_at is null)::int as m5,
             count(*) filter (where timeframe = '1h' and deleted_at is null)::int as h1
        from public.derived_data_bars where canonical_symbol = 'DXY'`;
    expect(status.counts).toEqual({
      dataBars1m: 0,
      derivedActive1m: expected?.active,
      derivedSoftDeleted1m: 7,
      derived5m: expected?.m5,
      derived1h: expected?.h1,
      countedAt: expect.any(Date),
    });
    expect(status.missingTables).toEqual([]);
    expect(status.workers).toMatchObject({ kind: 'rehearsal', mode: 'legacy', paused: false });
    expect(status.runbook.steps).toHaveLength(11);
    expect(status.runbook.nextStep?.id).toBe('1');
  });

  it('reports fresh components and a legacy DXY with no data_bars series yet', async () => {
    const status = await readConsoleStatus(test.database);
    const eur = status.freshness.find((f) => f.label === 'EURUSD');
    expect(eur?.state === 'fresh' || eur?.state === 'lagging').toBe(true);
    expect(status.freshness.find((f) => f.label.startsWith('DXY (new'))?.state).toBe('no-data');
  });

  it('shows the requested and the effective rehearsal speed', async () => {
    await test.database.sql`update cutover.rehearsal_clock set effective_speed = 0.0000005`;
    const status = await readConsoleStatus(test.database);
    expect(status.clock).toEqual({ kind: 'rehearsal', speed: 0.000001, effectiveSpeed: 0.0000005, heldBack: false });
  });

  it('says which pipeline tables are missing instead of failing', async () => {
    const status = await readConsoleStatus(bare.database);
    expect(status.missingTables).toEqual([
      'data_bars',
      'derived_data_bars',
      'core_asset_registry_all',
      'data_agg_state',
      'ops_runlog',
    ]);
    expect(status.counts).toBeNull();
    expect(status.clock.kind).toBe('wall');
  });
});
