/**
 * A text[] parameter as PostgreSQL's array literal, sent as text and cast in the query
 * (`${textArrayLiteral(roles)}::text[]`). postgres.js's `sql.array()` picks the parameter's array
 * type from the array types it fetches on a pool's first connection, after that connection's first
 * query was built: a fresh pool whose first query carries `sql.array()` sends it as `text`, and
 * PostgreSQL refuses it ("column roles is of type text[] but expression is of type text"). A short
 * script (`npm run users`) or a newly started console can hit exactly that.
 */
export function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map((value) => `"${value.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}
