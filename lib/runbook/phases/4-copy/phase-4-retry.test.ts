import { beforeAll, describe, expect, it } from 'vitest';
import { failedChecks } from '../../../../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../../../../test-support/test-world';
import { useTestWorld } from '../../../../test-support/world-database';
import type { PhaseRunRow } from '../../engine/run-state';
import { restartReason } from './copy-checkpoint';

const FORM_CHECK = 'Every DXY row in data_bars is in the final form';

describe('phase 4: the final form of every DXY row, and retries that start from the beginning', () => {
  const test = useTestWorld(
    { now: MIDWEEK_NOW, days: 2 },
    { config: { copyBatchRows: 500 }, through: ['1', '2-fix', '3'] },
  );
  /** Legacy minutes picked for the faults, in minute order. */
  let leftovers: Date[];
  let corrupted: Date;
  let sekMissing: Date;
  let gbpNaN: Date;

  const legacyMinute = async (offset: number) => {
    const [row] = await test.database.sql<{ ts_utc: Date }[]>`
      select ts_utc from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null
       order by ts_utc limit 1 offset ${offset}`;
    if (!row) throw new Error(`no legacy minute at offset ${offset}`);
    return row.ts_utc;
  };
  const check = (run: PhaseRunRow, prefix: string) => run.verification?.checks.find((c) => c.name.startsWith(prefix));
  const events = (runId: number) =>
    test.database.sql<{ level: string; message: string }[]>`
      select level, message from cutover.phase_run_events where phase_run_id = ${runId} order by id`;

  beforeAll(async () => {
    leftovers = [await legacyMinute(10), await legacyMinute(11), await legacyMinute(700)];
    corrupted = await legacyMinute(300);
    sekMissing = await legacyMinute(400);
    gbpNaN = await legacyMinute(900);
    // An earlier, aborted attempt's rows: the legacy close, but source and raw not in the final form.
    await test.database.sql`
      insert into public.data_bars (canonical_symbol, timeframe, ts_utc, open, high, low, close, vol, trade_count,
                                    is_partial, source, ingested_at, raw)
      select 'DXY', '1m', ts_utc, open, high, low, close, 0, 0, false, 'migrated_from_derived', ingested_at, '{"migrated": true}'
        from public.derived_data_bars
       where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null and ts_utc = any(${leftovers.map((d) => d.toISOString())}::timestamptz[])`;
  });

  it('fails a copy whose closes all agree when rows of an earlier attempt are not synthetic with raw.kind dxy', async () => {
    const run = await test.driver.run('4', { method: 'copy' });
    expect(run.status).toBe('failed');
    expect(check(run, 'Every legacy minute')?.passed).toBe(true);
    expect(check(run, 'Same close')?.passed).toBe(true);
    const form = check(run, FORM_CHECK);
    expect(form?.passed).toBe(false);
    expect(form?.detail).toContain("3 with source 'migrated_from_derived', raw without kind");
    expect(form?.detail).toContain('Apply fix');
    expect(form?.detail).toContain(leftovers[0]?.toISOString());
    const evidence = form?.evidence as { total: number; samples: { ts_utc: string; source: string }[] };
    expect(evidence.total).toBe(3);
    expect(evidence.samples.map((s) => s.ts_utc)).toEqual(leftovers.map((d) => d.toISOString()));
  });

  it('regenerates from the beginning when the method changes, copying from legacy what it cannot compute', async () => {
    // What phase 2's "Apply fix" does to the leftovers (keeping what they were in raw).
    await test.database.sql`
      update public.data_bars set source = 'synthetic',
             raw = raw || jsonb_build_object('kind', 'dxy', 'was', jsonb_build_object('source', source, 'raw', raw))
       where canonical_symbol = 'DXY' and timeframe = '1m' and source = 'migrated_from_derived'`;
    // A component corrupted (regenerating gives another DXY), one missing, one NaN.
    await test.database.sql`update public.data_bars set close = close * 1.01
                             where canonical_symbol = 'EURUSD' and timeframe = '1m' and ts_utc = ${corrupted}`;
    await test.database.sql`delete from public.data_bars
                             where canonical_symbol = 'USDSEK' and timeframe = '1m' and ts_utc = ${sekMissing}`;
    await test.database.sql`update public.data_bars set close = 'NaN'::float8
                             where canonical_symbol = 'GBPUSD' and timeframe = '1m' and ts_utc = ${gbpNaN}`;
    const runId = await test.driver.start('4', undefined, { method: 'regenerate' });
    const run = await test.driver.finish(runId);
    expect(run.status).toBe('failed');
    expect((await events(runId)).map((e) => e.message)).toContainEqual(
      expect.stringMatching(
        /^Starting again from the beginning of history.*the method changed from copy to regenerate/,
      ),
    );
    // The corrupted component's minute was recomputed (and now differs from legacy): the retry did not resume at the end.
    const close = check(run, 'Same close');
    expect(close?.passed).toBe(false);
    expect(close?.detail).toContain(`1 minutes differ, first: ${corrupted.toISOString()}`);
    expect(check(run, 'Every legacy minute')?.passed).toBe(true);
    expect(check(run, FORM_CHECK)?.passed).toBe(true);
    const left = check(run, 'Minutes that could not be regenerated');
    expect(left?.evidence).toEqual({
      total: 2,
      samples: [
        { ts_utc: sekMissing.toISOString(), reason: 'USDSEK missing' },
        { ts_utc: gbpNaN.toISOString(), reason: 'GBPUSD close NaN' },
      ].sort((a, b) => a.ts_utc.localeCompare(b.ts_utc)),
    });
    const rows = await test.database.sql<
      { ts_utc: Date; source: string; raw: Record<string, unknown>; same: boolean }[]
    >`
      select n.ts_utc, n.source, n.raw, n.close = d.close as same from public.data_bars n
        join public.derived_data_bars d on d.canonical_symbol = 'DXY' and d.timeframe = '1m' and d.deleted_at is null and d.ts_utc = n.ts_utc
       where n.canonical_symbol = 'DXY' and n.timeframe = '1m' and n.ts_utc in (${sekMissing}, ${gbpNaN}) order by n.ts_utc`;
    expect(rows.map((r) => [r.source, r.raw.copied_from, r.raw.kind, r.same])).toEqual([
      ['synthetic', 'derived_data_bars', 'dxy', true],
      ['synthetic', 'derived_data_bars', 'dxy', true],
    ]);
    expect(rows.map((r) => r.raw.not_regenerated).sort()).toEqual(['GBPUSD close NaN', 'USDSEK missing']);
  });

  it('regenerates again from the beginning after a failed verification, and passes once the component is right', async () => {
    await test.database.sql`update public.data_bars set close = close / 1.01
                             where canonical_symbol = 'EURUSD' and timeframe = '1m' and ts_utc = ${corrupted}`;
    const runId = await test.driver.start('4', undefined, { method: 'regenerate' });
    const run = await test.driver.finish(runId);
    expect(run.status, failedChecks(run)).toBe('succeeded');
    expect((await events(runId)).map((e) => e.message)).toContainEqual(
      expect.stringMatching(/^Starting again from the beginning of history.*failed its verification/),
    );
    expect(check(run, 'Started from the beginning')?.detail).toMatch(/failed its verification/);
    expect(check(run, 'Minutes that could not be regenerated')?.evidence).toMatchObject({ total: 2 });
    const [legacy] = await test.database.sql<{ n: number }[]>`
      select count(*)::int as n from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null`;
    expect(run.progress).toMatchObject({ rowsDone: legacy?.n });
  });

  it('continues from the cursor when the previous attempt stopped part-way with the same method', () => {
    const partWay = { cursor: '2026-11-24T10:00:00.000Z', method: 'regenerate' as const };
    expect(restartReason(partWay, { method: 'regenerate', runId: 9 })).toBeNull();
    expect(restartReason(partWay, { method: 'copy', runId: 9 })).toMatch(/method changed/);
    // The run's own completed checkpoint (the runner calling execute again) is not a retry.
    expect(restartReason({ ...partWay, completedByRun: 9 }, { method: 'regenerate', runId: 9 })).toBeNull();
    expect(restartReason({ ...partWay, completedByRun: 8 }, { method: 'regenerate', runId: 9 })).toMatch(/run #8/);
    expect(restartReason({}, { method: 'copy', runId: 9 })).toBeNull();
  });
});
