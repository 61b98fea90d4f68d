/**
 * The bloat report after a soft-delete, on a real table: soft-deleting rows (an UPDATE of deleted_at)
 * leaves dead row versions the statistics count, the estimate says how much of the table and its
 * indexes they are, and the VACUUM it recommends — and a table with nothing dead needs none.
 */
import { describe, expect, it } from 'vitest';
import { useTestWorld } from '../../../../test-support/world-database';
import { bloatFinding, bloatReport, readTableBloat } from './soft-delete-bloat';

describe('the soft-delete bloat report', () => {
  const world = useTestWorld({ days: 1 });

  it('counts the dead versions soft-deleting leaves, and recommends a plain VACUUM', async () => {
    const sql = world.database.sql;
    await sql`vacuum public.derived_data_bars`;
    await sql`select pg_stat_force_next_flush()`;
    const clean = bloatReport(await readTableBloat(sql), { softDeleted: 0 });
    expect(clean.deadEstimate).toBe(0);
    expect(clean.summary).toBe('public.derived_data_bars: no dead row versions; no VACUUM needed.');
    const updated = await sql`
      update public.derived_data_bars set deleted_at = now()
       where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null`;
    await sql`select pg_stat_force_next_flush()`;
    const reading = await readTableBloat(sql);
    expect(reading.deadTuples).toBeGreaterThanOrEqual(updated.count);
    expect(reading.indexes.length).toBeGreaterThan(0);
    const report = bloatReport(reading, { softDeleted: updated.count });
    expect(report.deadEstimate).toBe(reading.deadTuples);
    expect(report.deadFraction).toBeGreaterThan(0);
    expect(report.tableBloatBytes).toBeGreaterThan(0);
    expect(report.vacuum).toBe('VACUUM (VERBOSE, ANALYZE) public.derived_data_bars;');
    expect(report.summary).toContain(`about ${reading.deadTuples.toLocaleString('en-US')} dead row versions`);
    expect(report.summary).toContain('Recommended, off-peak: VACUUM (VERBOSE, ANALYZE) public.derived_data_bars;');
  });

  it('trusts the rows soft-deleted over statistics not flushed yet, and says whether autovacuum will run', () => {
    const reading = {
      table: 'public.derived_data_bars',
      liveTuples: 1000,
      deadTuples: 10,
      tableBytes: 2 * 1024 * 1024,
      indexes: [{ name: 'i', bytes: 1024 * 1024 }],
      autovacuumThreshold: 250,
      lastVacuum: null,
    };
    const report = bloatReport(reading, { softDeleted: 1000 });
    expect(report.deadEstimate).toBe(1000);
    expect(report.deadFraction).toBe(0.5);
    expect(report.tableBloatBytes).toBe(1024 * 1024);
    expect(report.indexBloatBytes).toBe(512 * 1024);
    expect(report.autovacuumWillRun).toBe(true);
    expect(report.summary).toContain('Autovacuum will start on its own');
    expect(bloatReport({ ...reading, autovacuumThreshold: 5000 }, { softDeleted: 1000 }).summary).toContain(
      "Below autovacuum's threshold (5,000)",
    );
    // Phase 9's verification shows it as a finding, or says it was not measured in this run.
    expect(bloatFinding({ softDeleteBloat: report })).toMatchObject({
      kind: 'finding',
      passed: true,
      detail: report.summary,
    });
    expect(bloatFinding({}).detail).toMatch(/^not measured in this run/);
  });
});
