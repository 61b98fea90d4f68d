/**
 * The probe row builder gives every column a value of its own (docs/phases.md, phase 5): it never
 * leans on a default, and it refuses rather than guesses where it cannot.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../../test-support/world-database';
import { insertProbeRow, probeInsertSql, readProbeColumns } from './probe-rows';

const AT = new Date('2001-02-03T04:05:00Z');

describe('probe rows', () => {
  const test = useTestDatabase();
  beforeAll(async () => {
    await test.database.sql`
      create table public.probe_target (
        id bigserial primary key,
        symbol text not null,
        flag boolean not null default true,
        n integer not null default 5,
        at timestamptz not null default now(),
        doc jsonb not null default '{"d": 1}',
        note text default 'default note')`;
    await test.database.sql`create table public.probe_odd (id bigserial primary key, address inet not null)`;
  });

  it('fills NOT NULL columns with neutral values of their type, nullable ones with NULL, never their defaults', async () => {
    const columns = await readProbeColumns(test.database.sql, 'probe_target');
    expect(columns.filter((c) => c.generatedKey).map((c) => c.name)).toEqual(['id']);
    expect(probeInsertSql('probe_target', columns)).toBe(
      'INSERT INTO public."probe_target" ("symbol", "flag", "n", "at", "doc", "note")\n' +
        'VALUES ($1::text::text, $2::text::boolean, $3::text::integer, $4::text::timestamp with time zone, $5::text::jsonb, $6::text::text)',
    );
    await insertProbeRow(test.database.sql, { table: 'probe_target', columns, values: { symbol: 'EURUSD' }, at: AT });
    const [row] = await test.database.sql`select symbol, flag, n, at, doc, note from public.probe_target`;
    expect(row).toEqual({ symbol: 'EURUSD', flag: false, n: 0, at: AT, doc: {}, note: null });
  });

  it('refuses a column the table does not have, a NULL for a NOT NULL column, and a type it cannot fill', async () => {
    const columns = await readProbeColumns(test.database.sql, 'probe_target');
    await expect(
      insertProbeRow(test.database.sql, { table: 'probe_target', columns, values: { nope: '1' }, at: AT }),
    ).rejects.toThrow('public.probe_target has no column nope for the probe.');
    await expect(
      insertProbeRow(test.database.sql, { table: 'probe_target', columns, values: { symbol: null }, at: AT }),
    ).rejects.toThrow('The probe gives NULL to NOT NULL symbol of probe_target.');
    const odd = await readProbeColumns(test.database.sql, 'probe_odd');
    await expect(
      insertProbeRow(test.database.sql, { table: 'probe_odd', columns: odd, values: {}, at: AT }),
    ).rejects.toThrow(/cannot fill NOT NULL column address \(inet\)/);
  });
});
