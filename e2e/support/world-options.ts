/**
 * What an e2e spec's world is: where its simulated time starts and how fast it runs. Every spec file
 * gets a world of its own (e2e/support/fixtures.ts); a spec that needs another time or speed says so
 * with `test.use({ worldOptions: { ...DEFAULT_WORLD, start: '…' } })` (docs/testing.md "End-to-end").
 */
import { createHash } from 'node:crypto';

export interface WorldOptions {
  /** Simulated time the world's history ends at and its clock starts from (UTC, ISO 8601). */
  start: string;
  /** Days of history before `start`. */
  days: number;
  /** REHEARSAL_SPEED of the world's console: simulated seconds per wall second. */
  speed: number;
  /** REHEARSAL_REVISIONS_PER_HOUR of the world's simulated provider. */
  revisionsPerHour: number;
  /** Settings of the world's console that differ from the e2e defaults (console-world.ts), e.g. CUTOVER_COPY_PACED. */
  console?: Record<string, string>;
}

/**
 * 5 days of history up to a Monday morning: ≈ 4,300 open minutes with a weekend among them, and a
 * whole trading week ahead, so that a spec which runs phases 1–9 through the 24-hour window
 * (≈ 5 simulated days at most) never meets Friday's close.
 */
export const DEFAULT_WORLD: WorldOptions = {
  start: '2026-11-23T10:00:00Z',
  days: 5,
  // Fast enough for the 24-hour window to pass in about 2.5 minutes.
  speed: 600,
  // Staggered ingestion as production, but no provider revisions yet. With them on (at 600× a
  // revision lands every few seconds) the e2e runs found three defects, all fixed since (phase 4's
  // catch-up, phase 1's restore proof, the catch-up of rows a kept rollback left). Revisions through
  // phases 1–9 and a rollback are rehearsed by the runbook's market-as-it-is integration test.
  revisionsPerHour: 0,
};

/** The settings of the world's template database (what the world is built from; speed is the console's). */
export function templateSettings(options: WorldOptions): Record<string, string> {
  return {
    REHEARSAL_START: options.start,
    REHEARSAL_DAYS: String(options.days),
    REHEARSAL_REVISIONS_PER_HOUR: String(options.revisionsPerHour),
  };
}

/** The template's database name: one per distinct world built, shared by every spec that starts the same. */
export function templateName(options: WorldOptions): string {
  const key = Object.entries(templateSettings(options))
    .map(([name, value]) => `${name}=${value}`)
    .join(';');
  return `e2e_template_${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}
