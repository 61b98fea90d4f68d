/**
 * The pools read int8 and numeric as numbers (lib/db/number-types.ts), so no query casts to
 * float8 to be parsed; an int8 a double cannot hold exactly fails the query instead of rounding.
 */
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test-support/world-database';

describe('numbers from the database', () => {
  const test = useTestDatabase({ migrate: false });

  it('reads counts, bigserial ids and numeric results as numbers on both pools', async () => {
    const { sql, db } = test.database;
    await sql`create table number_probe (id bigserial primary key, size int8, amount numeric)`;
    const [inserted] = await sql<{ id: number }[]>`
      insert into number_probe (size, amount) values (${2 ** 53 - 1}, 0.1) returning id`;
    expect(inserted?.id).toBe(1);
    const [row] = await sql<{ n: number; size: number; total: number; amount: number; age: number; ids: number[] }[]>`
      select count(*) as n, max(size) as size, sum(size) as total, max(amount) as amount,
             extract(epoch from interval '90 seconds') / 60 as age, array_agg(id) as ids
        from number_probe`;
    expect(row).toEqual({ n: 1, size: 2 ** 53 - 1, total: 2 ** 53 - 1, amount: 0.1, age: 1.5, ids: [1] });
    // The drizzle pool is a client of its own: the same parsers, not postgres.js's strings.
    const drizzleRows = await db.execute<{ n: number }>(`select count(*) as n, 12.5::numeric as amount`);
    expect([...drizzleRows]).toEqual([{ n: 1, amount: 12.5 }]);
  });

  it('refuses an int8 beyond 2^53 rather than reading a neighbouring value', async () => {
    const { sql } = test.database;
    await expect(sql`select ${'9007199254740993'}::int8 as id`).rejects.toThrow(/does not fit a JS number exactly/);
    // The pool goes on serving: a refused value does not poison the connection.
    expect(await sql`select 9007199254740993::int8::text as id, 1::int8 as one`).toEqual([
      { id: '9007199254740993', one: 1 },
    ]);
  });

  it('numeric NaN and infinities, and the rounding of digits a double does not hold', async () => {
    const { sql } = test.database;
    const [row] = await sql<{ nan: number; inf: number; long: number }[]>`
      select 'NaN'::numeric as nan, '-Infinity'::numeric as inf, 1.23456789012345678901::numeric as long`;
    expect(row?.nan).toBeNaN();
    expect(row?.inf).toBe(Number.NEGATIVE_INFINITY);
    expect(row?.long).toBe(Number('1.23456789012345678901'));
  });
});
