/**
 * The market calendar's holiday and early-close table: the defaults, the JSON file format that
 * CUTOVER_MARKET_CALENDAR_FILE points at (docs/operations.md "Market calendar"), and its parser.
 * No settings or file access here, so lib/settings.ts can validate a file with it: it lives among the shared modules (docs/architecture.md "The parts"), below both settings and the market.
 */
import { z } from 'zod';

/** What happens on one New York calendar day; `regular` cancels a default for that day. */
export type DayRule =
  | { kind: 'closed' }
  | { kind: 'early-close'; closesAtMinute: number; closesAt: string }
  | { kind: 'regular' };

export interface MarketCalendar {
  /** Identifies the table (cache key): `default`, or the file's path and modification time. */
  key: string;
  /** Rules for a month-day in every year, keyed `MM-DD`. */
  everyYear: ReadonlyMap<string, DayRule>;
  /** Rules for one date, keyed `YYYY-MM-DD`; they win over `everyYear`. */
  oneDate: ReadonlyMap<string, DayRule>;
}

const CLOSED: DayRule = { kind: 'closed' };
const earlyClose = (closesAt: string): DayRule => ({
  kind: 'early-close',
  closesAt,
  closesAtMinute: Number(closesAt.slice(0, 2)) * 60 + Number(closesAt.slice(3, 5)),
});

/** The defaults (docs/domain.md "Market hours"): thin Christmas and New Year trading treated as closed. */
export const DEFAULT_DAY_RULES: ReadonlyArray<readonly [string, DayRule]> = [
  ['12-24', earlyClose('13:00')],
  ['12-25', CLOSED],
  ['12-31', earlyClose('13:00')],
  ['01-01', CLOSED],
];

export const DEFAULT_MARKET_CALENDAR: MarketCalendar = {
  key: 'default',
  everyYear: new Map(DEFAULT_DAY_RULES),
  oneDate: new Map(),
};

const monthDay = /^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const fullDate = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const wallTime = /^([01]\d|2[0-3]):[0-5]\d$/;

const dayEntry = z
  .object({
    date: z.string().refine((d) => monthDay.test(d) || fullDate.test(d), 'date must be MM-DD or YYYY-MM-DD'),
    closed: z.literal(true).optional(),
    closesAt: z.string().regex(wallTime, 'closesAt must be HH:MM (New York time)').optional(),
    regular: z.literal(true).optional(),
    note: z.string().optional(),
  })
  .strict()
  .refine(
    (e) => [e.closed, e.closesAt, e.regular].filter((v) => v !== undefined).length === 1,
    'each day needs exactly one of "closed": true, "closesAt": "HH:MM" or "regular": true',
  );

const fileSchema = z
  .object({
    /** false: the file's days replace the defaults instead of adding to (and overriding) them. */
    includeDefaults: z.boolean().optional(),
    days: z.array(dayEntry),
  })
  .strict();

/** Parses the file's text; throws an Error naming `source` and what is wrong. */
export function parseMarketCalendar(text: string, key: string, source: string): MarketCalendar {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source} is not JSON: ${(error as Error).message}`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ');
    throw new Error(`${source} is not a market calendar (docs/operations.md "Market calendar"): ${problems}`);
  }
  const everyYear = new Map(parsed.data.includeDefaults === false ? [] : DEFAULT_DAY_RULES);
  const oneDate = new Map<string, DayRule>();
  for (const entry of parsed.data.days) {
    const rule: DayRule = entry.closed
      ? CLOSED
      : entry.closesAt !== undefined
        ? earlyClose(entry.closesAt)
        : { kind: 'regular' };
    (fullDate.test(entry.date) ? oneDate : everyYear).set(entry.date, rule);
  }
  return { key, everyYear, oneDate };
}
