import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test-support/world-database';
import { connectDatabase } from './connection';
import { textArrayLiteral } from './text-array';

describe('text[] parameters', () => {
  const test = useTestDatabase();

  it('round-trips quotes, backslashes, commas, braces and spaces', async () => {
    const values = ['viewer', 'a "quoted" one', 'back\\slash', 'comma,brace}{', ' spaced ', ''];
    const [row] = await test.database.sql<{ v: string[] }[]>`select ${textArrayLiteral(values)}::text[] as v`;
    expect(row?.v).toEqual(values);
  });

  it('is a text[] on the first query of a fresh pool, where sql.array() is sent as text', async () => {
    const fresh = connectDatabase(test.url, { max: 1 });
    try {
      const [row] = await fresh.sql<
        { t: string }[]
      >`select pg_typeof(${textArrayLiteral(['viewer'])}::text[])::text as t`;
      expect(row?.t).toBe('text[]');
    } finally {
      await fresh.close();
    }
    const other = connectDatabase(test.url, { max: 1 });
    try {
      // The defect this avoids, so the test notices if postgres.js ever fixes (or changes) it.
      const [row] = await other.sql<{ t: string }[]>`select pg_typeof(${other.sql.array(['viewer'])})::text as t`;
      expect(row?.t).toBe('text');
    } finally {
      await other.close();
    }
  });
});
