/**
 * The calendar as a SQL predicate, for statements that select open minutes themselves (the
 * rehearsal world's bar generator, its leftovers). It is built from the same table as the
 * TypeScript calendar (lib/market/calendar/calendar-sql.test.ts compares them minute by minute)
 * and reads New York wall time with `AT TIME ZONE 'America/New_York'`, so the session's TimeZone
 * never matters. Dates and times in it come from the validated table (digits and dashes only).
 */
import type { DayRule, MarketCalendar } from '../../market-calendar-format';
import { NEW_YORK } from './new-york-time';

export function marketOpenSql(calendar: MarketCalendar, tsExpression: string): string {
  const wall = `((${tsExpression}) AT TIME ZONE '${NEW_YORK}')`;
  const weekly = `(CASE extract(isodow FROM ${wall})::int
      WHEN 6 THEN false
      WHEN 7 THEN ${wall}::time >= time '17:00'
      WHEN 5 THEN ${wall}::time < time '17:00'
      ELSE true END)`;
  const ruleSql = (rule: DayRule): string =>
    rule.kind === 'closed'
      ? 'false'
      : rule.kind === 'early-close'
        ? `(${weekly} AND ${wall}::time < time '${rule.closesAt}')`
        : weekly;
  const cases = (rules: ReadonlyMap<string, DayRule>, format: string, otherwise: string): string =>
    rules.size === 0
      ? otherwise
      : `(CASE to_char(${wall}, '${format}')
      ${[...rules].map(([date, rule]) => `WHEN '${date}' THEN ${ruleSql(rule)}`).join('\n      ')}
      ELSE ${otherwise} END)`;
  return cases(calendar.oneDate, 'YYYY-MM-DD', cases(calendar.everyYear, 'MM-DD', weekly));
}
