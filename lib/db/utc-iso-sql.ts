/**
 * A timestamptz as the ISO 8601 text JavaScript's toISOString() gives (2026-11-26T19:05:00.000Z), in SQL: for
 * minutes aggregated into a message inside a query. Spelled in UTC whatever the session's TimeZone.
 */
export function utcIsoSql(expression: string): string {
  return `to_char(${expression} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}
