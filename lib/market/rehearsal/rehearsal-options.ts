/**
 * What kind of rehearsal world to create, from the REHEARSAL_* settings, and whether a database
 * already holds one (docs/operations.md "Rehearse first").
 */
import type { Database } from '../../db/connection';
import type { WorldIngestion } from '../../db/tables/rehearsal-workers';
import { readRehearsalWorld } from '../../db/tables/rehearsal-world';
import { readSetting } from '../../settings';
import { isFxOpen } from '../market-hours';
import type { PipelineVariant } from '../pipeline/variant';

export function rehearsalOptionsFromEnv(env: Record<string, string | undefined> = process.env): {
  variant: PipelineVariant;
  days: number;
  now: Date;
  leftovers: boolean;
  ingestion: WorldIngestion;
} {
  // Validated by lib/settings.ts: a bad value throws with the variable's name and what is allowed.
  return {
    variant: readSetting('REHEARSAL_SCHEMA', env),
    days: readSetting('REHEARSAL_DAYS', env),
    now: readSetting('REHEARSAL_START', env) ?? defaultRehearsalStart(new Date()),
    leftovers: readSetting('REHEARSAL_LEFTOVERS', env),
    // The console's world behaves like production by default; tests start from TOGETHER_INGESTION.
    ingestion: {
      schedule: readSetting('REHEARSAL_INGESTION', env),
      revisionsPerHour: readSetting('REHEARSAL_REVISIONS_PER_HOUR', env),
      secondWriterMinutes: readSetting('REHEARSAL_SECOND_WRITER_MINUTES', env) ?? null,
    },
  };
}

/**
 * Rehearsal time starts at wall time when the FX market is open. When it is closed (a weekend or a
 * holiday of the market calendar), it starts at the previous Thursday 14:00 UTC on which the market
 * was open instead, so a team rehearsing on a Saturday gets open market hours to run the plan in
 * rather than a day and a half of silence. REHEARSAL_START places it anywhere, e.g. over a
 * daylight-saving change or Christmas (docs/operations.md "Rehearse first").
 */
export function defaultRehearsalStart(wallNow: Date): Date {
  if (isFxOpen(wallNow)) return wallNow;
  const thursday = new Date(wallNow);
  thursday.setUTCHours(14, 0, 0, 0);
  while (thursday.getUTCDay() !== 4 || thursday.getTime() > wallNow.getTime() || !isFxOpen(thursday)) {
    thursday.setUTCDate(thursday.getUTCDate() - 1);
  }
  return thursday;
}

export async function hasRehearsalWorld(database: Database): Promise<boolean> {
  return (await readRehearsalWorld(database.sql)) !== null;
}
