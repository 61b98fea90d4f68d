/** A small rehearsal world at a fixed simulated time, for integration tests. */
import type { Database } from '../lib/db/connection';
import { TOGETHER_INGESTION, type WorldIngestion } from '../lib/db/tables/rehearsal-workers';
import type { PipelineVariant } from '../lib/market/pipeline/variant';
import { createRehearsalWorld, type WorldSummary } from '../lib/market/rehearsal/create-world';

/** A Wednesday mid-session: the market is open and the last 3 days hold no weekend. */
export const MIDWEEK_NOW = new Date('2026-11-25T14:30:00Z');
/** A Monday morning: the last 3 days span a full FX weekend. */
export const AFTER_WEEKEND_NOW = new Date('2026-11-30T06:00:00Z');

export interface TestWorldOptions {
  variant?: PipelineVariant;
  days?: number;
  now?: Date;
  leftovers?: boolean;
  /**
   * How the simulated provider and writers behave. Unset: all six components of a minute at once,
   * no revisions, no second writer (TOGETHER_INGESTION), so tests stay deterministic; a test of
   * late or revised data opts in.
   */
  ingestion?: Partial<WorldIngestion>;
}

export async function createTestWorld(database: Database, options: TestWorldOptions = {}): Promise<WorldSummary> {
  return createRehearsalWorld(database, {
    variant: options.variant ?? 'production',
    days: options.days ?? 3,
    now: options.now ?? MIDWEEK_NOW,
    speed: 1,
    leftovers: options.leftovers ?? false,
    ingestion: { ...TOGETHER_INGESTION, ...options.ingestion },
  });
}
