/**
 * Phase 5 checks before it commits (docs/phases.md, phase 5): the registry update, the aggregator's
 * replacement and its probe run in one transaction, so a replacement that fails its probe leaves
 * production exactly as it was. And without an operator's file, the replacement is production's
 * own backed-up definition with only the derived_data_bars 1m branch gone.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { failedChecks } from '../../../../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../../../../test-support/test-world';
import { type TestWorld, useTestWorld } from '../../../../test-support/world-database';
import { loadClock } from '../../../market/clock';
import { getBackup } from '../shared/backup';
import { planAggregatorReplacement } from './aggregator-function';
import { phase5Switch } from './phase-5-switch';
import { unifiedDiff } from './unified-diff';

const SIGNATURE = 'public.aggregate_1m_to_5m_window(text, timestamptz, timestamptz, integer)';

/** Everything phase 5 may change, read from the database itself. */
async function productionState(test: TestWorld) {
  const { sql } = test.database;
  const [fn] = await sql<{ def: string; acl: string[] | null; config: string[] | null }[]>`
    select pg_get_functiondef(${SIGNATURE}::regprocedure) as def,
           (select proacl::text[] from pg_proc where oid = ${SIGNATURE}::regprocedure) as acl,
           (select proconfig from pg_proc where oid = ${SIGNATURE}::regprocedure) as config`;
  const [registry] = await sql<{ row: unknown }[]>`
    select to_jsonb(r) as row from public.core_asset_registry_all r where canonical_symbol = 'DXY'`;
  const [rows] = await sql<{ bars: number; bars_max: string | null; derived: number; derived_max: string | null }[]>`
    select (select count(*)::int from public.data_bars) as bars, (select max(id)::text from public.data_bars) as bars_max,
           (select count(*)::int from public.derived_data_bars) as derived,
           (select max(id)::text from public.derived_data_bars) as derived_max`;
  return { fn, registry: registry?.row, rows };
}

function writeDefinition(name: string, sql: string): string {
  const file = join(tmpdir(), `phase-5-${process.pid}-${name}.sql`);
  writeFileSync(file, sql);
  return file;
}

afterEach(() => {
  delete process.env.CUTOVER_AGGREGATOR_5M_SQL_FILE;
});

describe('phase 5 whose probe fails leaves production exactly as before', () => {
  const test = useTestWorld(
    { variant: 'production', now: MIDWEEK_NOW, days: 1 },
    { through: ['1', '2-fix', '3', '4'] },
  );

  it('a replacement that still reads derived_data_bars: the probe fails, nothing is committed', async () => {
    // The simulated workers stand still, so every row either table gains would be the phase's.
    await test.database.sql`update cutover.rehearsal_workers set paused = true`;
    const before = await productionState(test);
    // Production's own union body, as the operator's file: signature and attributes pass, the probe does not.
    process.env.CUTOVER_AGGREGATOR_5M_SQL_FILE = writeDefinition('union', before.fn?.def ?? '');
    const run = await test.driver.run('5');
    expect(run.status).toBe('failed');
    expect(failedChecks(run)).toMatch(
      /failed its checks before commit, so nothing was committed: Aggregator reads data_bars only: 1m bars only in derived_data_bars \(DXY \[.*\)\) still produced a 5m bar/,
    );
    expect(await productionState(test)).toEqual(before);
  });

  it('a replacement whose body raises: the probe fails with its message, nothing is committed', async () => {
    const before = await productionState(test);
    const raising = (before.fn?.def ?? '').replace(/\bBEGIN\b/, "BEGIN\n  RAISE EXCEPTION 'replacement body broken';");
    expect(raising).not.toBe(before.fn?.def);
    process.env.CUTOVER_AGGREGATOR_5M_SQL_FILE = writeDefinition('raising', raising);
    const run = await test.driver.run('5');
    expect(run.status).toBe('failed');
    expect(failedChecks(run)).toContain('replacement body broken');
    expect(await productionState(test)).toEqual(before);
  });

  it('refuses when the live function changed since phase 1 backed it up, and starts once it is back', async () => {
    const before = await productionState(test);
    const [migration] = await test.database.sql<{ id: number }[]>`select id from cutover.migration_runs`;
    const edited = (before.fn?.def ?? '').replace(/\bBEGIN\b/, 'BEGIN\n  -- a hand-applied change');
    await test.database.sql.unsafe(edited);
    const plan = await planAggregatorReplacement(test.database.sql, {}, { migrationRunId: migration?.id ?? null });
    expect(plan.ok).toBe(false);
    if (!plan.ok) expect(plan.reason).toMatch(/changed since phase 1 backed it up/);
    await test.database.sql.unsafe(before.fn?.def ?? '');
    const again = await planAggregatorReplacement(test.database.sql, {}, { migrationRunId: migration?.id ?? null });
    expect(again.ok).toBe(true);
  });

  it('a grant changed since phase 1 backed the function up: the switch fails its check before commit, nothing is committed', async () => {
    await test.database.sql.unsafe(`REVOKE EXECUTE ON FUNCTION ${SIGNATURE} FROM service_role`);
    try {
      const before = await productionState(test);
      const run = await test.driver.run('5');
      expect(run.status).toBe('failed');
      expect(failedChecks(run)).toMatch(
        /failed its checks before commit, so nothing was committed: One aggregator, with the signature, result, owner, SET and grants it had: differs from the backup: privileges/,
      );
      expect(await productionState(test)).toEqual(before);
    } finally {
      await test.database.sql.unsafe(`GRANT EXECUTE ON FUNCTION ${SIGNATURE} TO service_role`);
    }
  });

  it("without a file: production's backed-up definition minus its derived 1m branch, shown as a diff, then committed", async () => {
    await test.database.sql`update cutover.rehearsal_workers set paused = false`;
    const before = await productionState(test);
    const clock = await loadClock(test.database.sql);
    const [migration] = await test.database.sql<{ id: number }[]>`select id from cutover.migration_runs`;
    const preview = await phase5Switch.preview({
      database: test.database,
      clock,
      config: test.driver.config,
      migrationRunId: migration?.id ?? null,
      options: {},
    });
    const removed = (preview.diff?.text ?? '').split('\n').filter((l) => l.startsWith('-') && !l.startsWith('---'));
    expect(removed[0]).toMatch(/^-\s+UNION ALL$/);
    expect(removed.slice(1).join('\n')).toMatch(/FROM public\.derived_data_bars[\s\S]*timeframe = '1m'/);
    expect(preview.diff?.text.split('\n').some((l) => l.startsWith('+') && !l.startsWith('+++'))).toBe(false);

    const run = await test.driver.run('5');
    expect(run.status, failedChecks(run)).toBe('succeeded');
    const after = await productionState(test);
    const backup = await getBackup(test.database.sql, { migrationRunId: run.migrationRunId });
    const saved = backup?.functions.find((f) => f.name === 'aggregate_1m_to_5m_window');
    expect(saved?.definition).toBe(before.fn?.def);
    // Live now: the backed-up text with exactly those lines removed, the helper call and raw tag untouched.
    const live = unifiedDiff(saved?.definition ?? '', after.fn?.def ?? '', { before: 'a', after: 'b' })
      .split('\n')
      .filter((l) => /^[-+](?![-+]{2} )/.test(l));
    expect(live).toEqual(removed);
    expect(after.fn?.def).toContain("jsonb_build_object('agg', 'aggregate_1m_to_5m_window'");
    expect(after.fn?.def).not.toContain('derived_data_bars');
    expect({ acl: after.fn?.acl, config: after.fn?.config }).toEqual({
      acl: before.fn?.acl,
      config: before.fn?.config,
    });
    expect(run.result.probeBeforeCommit).toMatchObject({
      derivedOnly: { stored: false },
      dataBarsOnly: { stored: true },
    });
  });
});
