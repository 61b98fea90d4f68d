/**
 * How every pool of the console reads PostgreSQL's integer and decimal types (docs/architecture.md
 * "PostgreSQL", "Numbers from the database"): `bigint` (int8: counts, bigserial ids, sizes) and
 * `numeric` (sums of integers, `extract(epoch …)`, averages of integers) come back as JS numbers,
 * so no query casts to `float8` just to be parsed. postgres.js's defaults are strings for both,
 * because neither fits a double in general; here they do:
 *
 * - int8: every int8 the console reads is a count, an id or a byte size, far below 2^53
 *   (ten years of one symbol's minutes are ~5.3 million rows). A value beyond 2^53 − 1 would be
 *   rounded, so the parser throws instead: the query fails loudly rather than reading another id.
 *   A query that does read a large int8 (a checksum, `system_identifier`) casts it to `text`.
 * - numeric: no price is numeric — bars' OHLC columns are `double precision` in production and in
 *   the rehearsal schema (lib/market/rehearsal/schema-sql.ts) and arrive as doubles whatever this
 *   parser does; a copy whose closes were numeric (prices near 100 with at most eight decimals:
 *   11 significant digits) would still read exactly as the nearest double. The numeric values
 *   read are sums of integers, epoch seconds and ratios, where a double's 15–17 significant digits
 *   are more than the answer needs; a numeric with more digits is rounded to the nearest double,
 *   not refused. `NaN` and `±Infinity` (numeric has them since PostgreSQL 14) become the same JS
 *   values.
 */
import type { PostgresType } from 'postgres';

const INT8_OID = 20;
const NUMERIC_OID = 1700;

export function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`A bigint of ${text} does not fit a JS number exactly: select it as text.`);
  }
  return value;
}

export function parseNumeric(text: string): number {
  return Number(text);
}

/** The postgres.js `types` option of every pool (lib/db/connection.ts and the tests' pools). */
export const NUMBER_TYPES = {
  int8: { to: INT8_OID, from: [INT8_OID], serialize: (value: number) => String(value), parse: parseInt8 },
  numeric: { to: NUMERIC_OID, from: [NUMERIC_OID], serialize: (value: number) => String(value), parse: parseNumeric },
} satisfies Record<string, PostgresType<number>>;
