/**
 * What makes validate's write trials cost the same at any history length and gentle with the live
 * writers (docs/phases.md "Validate — before the night"): they stage on the oldest legacy minutes,
 * where the night's copy and phase 9's oldest-first soft-delete batch start; each verdict says which
 * writers its transaction held back and for at most how long; a new source CHECK stays NOT VALID in
 * the trial, and the night's VALIDATE is named as not tried.
 */
import { describe, expect, it } from 'vitest';
import { useTestWorld } from '../../../test-support/world-database';
import { loadClock } from '../../market/clock';
import { runbookConfigFromEnv } from '../engine/config';
import { inRolledBackTransaction } from '../engine/rolled-back';
import { describeHold } from './trial-locks';
import { trialRange } from './trial-support';
import type { ValidationItem } from './verdict';
import { runWriteTrials, type TrialContext } from './write-trials';

const config = { ...runbookConfigFromEnv({}), dumpDirectory: null };

async function trials(database: TrialContext['database']): Promise<Map<string, ValidationItem>> {
  const clock = await loadClock(database.sql);
  const items = await runWriteTrials({ database, clock, config, migrationRunId: null });
  return new Map(items.map((item) => [item.name, item]));
}

describe('write trials on a production world', () => {
  const world = useTestWorld({ variant: 'production', leftovers: true }, { perTest: true });

  it('stage on the oldest legacy minutes data_bars lacks, and phase 9’s batch finds them there', async () => {
    const [oldest] = await world.database.sql<{ ts: Date }[]>`
      select min(d.ts_utc) as ts from public.derived_data_bars d
       where d.canonical_symbol = 'DXY' and d.timeframe = '1m' and d.deleted_at is null
         and not exists (select 1 from public.data_bars n
                          where n.canonical_symbol = 'DXY' and n.timeframe = '1m' and n.ts_utc = d.ts_utc)`;
    const [newest] = await world.database.sql<{ ts: Date }[]>`
      select max(ts_utc) as ts from public.derived_data_bars
       where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null`;
    expect(oldest?.ts).toBeInstanceOf(Date);
    expect(oldest?.ts.getTime()).toBeLessThan(newest?.ts.getTime() ?? 0);
    const byName = await trials(world.database);
    const copy = byName.get('Phase 4 · copy of legacy minutes');
    expect(copy?.status).toBe('go');
    expect(copy?.reason).toContain(`from ${oldest?.ts.toISOString()} copied`);
    expect(byName.get('Phase 9 · soft-delete batch')?.reason).toMatch(/^5 legacy rows soft-deleted/);
    expect(byName.get('Rollback · restore of the soft-deleted rows')?.reason).toMatch(/^5 soft-deleted legacy rows/);
    expect(byName.get('Rollback · back-fill of minutes only in data_bars')?.reason).toMatch(/^5 minutes back-filled/);
  });

  it('look only at the ends of the history: the newest minute data_bars lacks once the oldest are copied, else none', async () => {
    const { sql } = world.database;
    const legacy = await sql<{ ts: Date }[]>`
      select ts_utc as ts from public.derived_data_bars
       where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null order by ts_utc`;
    const range = (scan: number) => inRolledBackTransaction(sql, (tx) => trialRange(tx, scan));
    // Without the earlier attempt's rows, then what a copy (or a rollback that kept the rows) leaves: the oldest minutes in data_bars.
    await sql`delete from public.data_bars where canonical_symbol = 'DXY'`;
    const copyOldest = (minutes: number) => sql`
      insert into public.data_bars (canonical_symbol, provider_ticker, timeframe, ts_utc, open, high, low, close, vol,
                                    vwap, trade_count, is_partial, source, ingested_at, raw)
      select 'DXY', null, '1m', d.ts_utc, d.close, d.close, d.close, d.close, 0, null, 0, false, 'synthetic', now(),
             '{"kind":"dxy","version":1}'::jsonb
        from (select ts_utc, close from public.derived_data_bars
               where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null order by ts_utc limit ${minutes}) d
      on conflict (canonical_symbol, timeframe, ts_utc) do nothing`;
    await copyOldest(10);
    expect((await range(5))?.from).toEqual(legacy.at(-1)?.ts);
    expect((await range(20))?.from).toEqual(legacy[10]?.ts);
    await copyOldest(legacy.length);
    expect(await range(5)).toBeNull();
  });

  it('say which writers each trial held back, and for at most how long', async () => {
    const byName = await trials(world.database);
    // Phase 2's ALTER TABLE (columns production lacks) takes data_bars' ACCESS EXCLUSIVE lock until the rollback.
    for (const item of byName.values())
      expect(item.reason).toMatch(/held writers of .*data_bars \(AccessExclusiveLock\).* back for at most \d+ ms/);
    // The rollback's restore locks legacy writers out itself (its LOCK TABLE … SHARE ROW EXCLUSIVE).
    expect(byName.get('Rollback · restore of the soft-deleted rows')?.reason).toMatch(
      /derived_data_bars \(ShareRowExclusiveLock\)/,
    );
    expect(byName.get('Phase 9 · soft-delete batch')?.reason).not.toMatch(/derived_data_bars \(/);
  });

  it('hold no writer back once the schema has what phase 2 adds', async () => {
    await world.database.sql.unsafe(`
      ALTER TABLE public.data_bars ADD COLUMN created_at timestamptz NOT NULL DEFAULT now(),
                                   ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
      ALTER TABLE public.core_asset_registry_all ADD COLUMN metadata jsonb NOT NULL DEFAULT '{}'::jsonb`);
    const byName = await trials(world.database);
    expect(byName.get('Phase 4 · copy of legacy minutes')?.reason).toMatch(
      /held no lock that makes a writer wait \(\d+ ms until the rollback\)$/,
    );
    expect(byName.get('Rollback · restore of the soft-deleted rows')?.reason).toMatch(
      /held writers of derived_data_bars \(ShareRowExclusiveLock\) back for at most \d+ ms/,
    );
  });
});

describe('write trials on the plan’s world (a source CHECK that rejects synthetic)', () => {
  const world = useTestWorld({ variant: 'plan' });

  it('keep the new CHECK NOT VALID, name the VALIDATE they left to the night, and the rest goes', async () => {
    const byName = await trials(world.database);
    const fix = byName.get('Phase 2 · Apply fix (schema)');
    expect(fix?.status).toBe('finding');
    expect(fix?.reason).toMatch(/ADD CONSTRAINT data_bars_source_check_synthetic CHECK .* NOT VALID/);
    expect(fix?.reason).toMatch(
      /not run here: ALTER TABLE public\.data_bars VALIDATE CONSTRAINT data_bars_source_check_synthetic/,
    );
    expect(fix?.reason).toMatch(/DROP CONSTRAINT data_bars_source_check/);
    const { ran, notValidated } = (fix?.evidence ?? {}) as { ran: string[]; notValidated: string[] };
    expect(ran.filter((s) => /VALIDATE CONSTRAINT/.test(s))).toEqual([]);
    expect(notValidated).toEqual(['ALTER TABLE public.data_bars VALIDATE CONSTRAINT data_bars_source_check_synthetic']);
    // The copy writes source 'synthetic': the NOT VALID CHECK checks it, the old one is gone.
    expect(byName.get('Phase 4 · copy of legacy minutes')?.status).toBe('go');
    expect([...byName.values()].filter((i) => i.status === 'no-go')).toEqual([]);
  });
});

describe('describeHold', () => {
  it('names each table with its mode, or says none was held', () => {
    expect(describeHold([], 7)).toBe('held no lock that makes a writer wait (7 ms until the rollback)');
    expect(
      describeHold(
        [
          { table: 'data_bars', mode: 'AccessExclusiveLock' },
          { table: 'derived_data_bars', mode: 'ShareRowExclusiveLock' },
        ],
        42,
      ),
    ).toBe(
      'held writers of data_bars (AccessExclusiveLock), derived_data_bars (ShareRowExclusiveLock) back for at most 42 ms, until the rollback',
    );
  });
});
