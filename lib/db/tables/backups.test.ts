import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/test-database';
import { insertBackup, latestBackup, setBackupDump } from './backups';
import { insertMigrationRun } from './migration-runs';

describe('cutover.backups', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase();
  });
  afterAll(async () => {
    await test?.drop();
  });

  it('records a backup in a transaction, then its dump, and reads the latest back with the schema types', async () => {
    const { sql } = test.database;
    const run = await insertMigrationRun(sql, { startedBy: 'op' });
    expect(await latestBackup(sql, { migrationRunId: run.id })).toBeNull();

    const table = { source: 'public.data_bars', copy: 'cutover.bk', rows: 3, copyRows: 3, at: new Date(0) };
    const first = await sql.begin((tx) =>
      insertBackup(tx, {
        migrationRunId: run.id,
        phaseRunId: 3_000_000_000,
        tables: [table],
        functions: [],
        constraints: [{ name: 'c', definition: 'CHECK (true)' }],
        registryRow: null,
        aggState: [{ timeframe: '5m' }],
        verified: true,
      }),
    );
    // Stored as the JSON the documents serialise to: the date is its ISO string.
    expect(first).toMatchObject({
      migrationRunId: run.id,
      phaseRunId: 3_000_000_000,
      tables: [{ ...table, at: '1970-01-01T00:00:00.000Z' }],
      registryRow: null,
      verified: true,
      dumpFile: null,
      dumpNote: null,
    });
    expect(first?.takenAt).toBeInstanceOf(Date);

    const second = await insertBackup(sql, {
      migrationRunId: run.id,
      phaseRunId: 9,
      tables: [],
      functions: [],
      constraints: [],
      registryRow: { canonical_symbol: 'DXY' },
      aggState: [],
      verified: false,
    });
    if (!first || !second) throw new Error('two backups expected');
    await setBackupDump(sql, { id: second.id, dumpFile: null, dumpNote: 'pg_dump is not installed here' });
    await setBackupDump(sql, { id: first.id, dumpFile: '/tmp/first.dump', dumpNote: null });

    const latest = await latestBackup(sql, { migrationRunId: run.id });
    expect(latest).toMatchObject({
      id: second.id,
      registryRow: { canonical_symbol: 'DXY' },
      verified: false,
      dumpFile: null,
      dumpNote: 'pg_dump is not installed here',
    });
    const [firstDump] = await sql`select dump_file from cutover.backups where id = ${first.id}`;
    expect(firstDump?.dump_file).toBe('/tmp/first.dump');
  });
});
