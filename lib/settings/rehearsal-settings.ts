/**
 * The settings that shape a new rehearsal world: its clock speed, schema, history, start time, leftovers and the
 * simulated writers (group `rehearsal` of the settings table).
 */
import { z } from 'zod';
import { declare } from './setting-declaration';
import { isoTime, positiveNumber, wholeNumber, zeroOrOne } from './value-schemas';

export const REHEARSAL_SETTINGS = {
  REHEARSAL_SPEED: declare({
    group: 'rehearsal',
    schema: positiveNumber(100_000).optional(),
    default: null,
    allowed: 'a positive number up to 100000',
    meaning:
      'Simulated seconds per wall second (`60`: the 24 h window passes in 24 min). Unset: 1 for a new world, unchanged for an existing one.',
    example: '60',
  }),
  REHEARSAL_SCHEMA: declare({
    group: 'rehearsal',
    schema: z.enum(['production', 'plan']),
    default: 'production',
    allowed: '`production` or `plan`',
    meaning: "The pipeline schema of a new world: production's as it really is, or the one the written plan assumed.",
  }),
  REHEARSAL_DAYS: declare({
    group: 'rehearsal',
    // Up to ten years and a little: the benchmark's `--years 10` world (3650 days).
    schema: wholeNumber(1, 4000),
    default: '14',
    allowed: 'a whole number of days between 1 and 4000',
    meaning: 'Days of history in a new world.',
  }),
  REHEARSAL_START: declare({
    group: 'rehearsal',
    schema: isoTime,
    default: null,
    allowed: 'an ISO 8601 time, e.g. 2026-11-25T10:00:00Z',
    meaning:
      'Simulated start time of a new world. Unset: now, or the previous Thursday 14:00 UTC when the FX market is closed.',
    example: '2026-11-25T10:00:00Z',
  }),
  REHEARSAL_LEFTOVERS: declare({
    group: 'rehearsal',
    schema: zeroOrOne,
    default: '0',
    allowed: '`0` or `1`',
    meaning:
      "`1`: a new world also holds production's leftovers (the aborted attempt's DXY rows in data_bars, holes in the legacy history).",
  }),
  REHEARSAL_INGESTION: declare({
    group: 'rehearsal',
    schema: z.enum(['staggered', 'together']),
    default: 'staggered',
    allowed: '`staggered` or `together`',
    meaning:
      "How a new world's tick-factory ingests the DXY components: `staggered` as production (each symbol 0–4 min late, a few times a day one held back 30–60 min; legacy DXY derived once all six are in), or `together` (all six of a minute at once).",
  }),
  REHEARSAL_REVISIONS_PER_HOUR: declare({
    group: 'rehearsal',
    schema: z
      .string()
      .regex(/^\d+(\.\d+)?$/)
      .transform(Number)
      .pipe(z.number().min(0).max(60)),
    default: '2',
    allowed: 'a number from 0 to 60',
    meaning:
      'Provider revisions of a recent component bar (last 30 min) per simulated hour in a new world; the tick-factory overwrites the bar and re-derives DXY over it. `0`: none.',
  }),
  REHEARSAL_SECOND_WRITER_MINUTES: declare({
    group: 'rehearsal',
    schema: wholeNumber(1, 1440).optional(),
    default: null,
    allowed: 'a whole number of minutes between 1 and 1440',
    meaning:
      "A new world also has a legacy DXY writer the deploy does not control: every N simulated minutes it calls calc_dxy_range_derived over the last N minutes, whatever the workers' mode. Unset: none.",
    example: '20',
  }),
} as const;
