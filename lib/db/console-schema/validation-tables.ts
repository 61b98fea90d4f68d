/**
 * The dry runs of the whole plan (validate) and an admin's overrides of a missing or NO-GO one.
 */
import { index, integer, jsonb, serial, text } from 'drizzle-orm/pg-core';
import { cutover, tstz } from './cutover-schema';

export const VALIDATION_VERDICTS = ['go', 'no-go'] as const;
export type ValidationVerdict = (typeof VALIDATION_VERDICTS)[number];

/** One item of a dry run (lib/runbook/validate): GO, NO-GO, or a FINDING the plan's own steps handle. */
export interface ValidationItem {
  group: 'environment' | 'phase' | 'write-trial';
  name: string;
  status: 'go' | 'no-go' | 'finding';
  reason: string;
  evidence?: unknown;
}

/**
 * Dry runs of the whole plan against the database (docs/phases.md "Validate — before the night"):
 * phase 1 starts only after a GO from the last 24 hours, or an admin's override.
 */
export const validations = cutover.table(
  'validations',
  {
    id: serial('id').primaryKey(),
    requestedBy: text('requested_by').notNull(),
    startedAt: tstz('started_at').notNull(),
    finishedAt: tstz('finished_at').notNull(),
    verdict: text('verdict').notNull().$type<ValidationVerdict>(),
    items: jsonb('items').notNull().$type<ValidationItem[]>(),
    /** current_database, server version, system identifier or address, cluster name. */
    databaseIdentity: jsonb('database_identity').notNull().$type<Record<string, unknown>>(),
  },
  (t) => [index('validations_finished_idx').on(t.finishedAt)],
);

/** An admin's audited override of a missing or NO-GO validation, good for phase 1 starts within 24 hours. */
export const validationOverrides = cutover.table(
  'validation_overrides',
  {
    id: serial('id').primaryKey(),
    overriddenBy: text('overridden_by').notNull(),
    reason: text('reason').notNull(),
    createdAt: tstz('created_at').notNull().defaultNow(),
    /** The latest validation when the override was given (none, or its NO-GO). */
    validationId: integer('validation_id').references(() => validations.id),
  },
  (t) => [index('validation_overrides_created_idx').on(t.createdAt)],
);
