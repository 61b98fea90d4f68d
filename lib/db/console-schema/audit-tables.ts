/**
 * The audit log: one hash-chained row per action, bounded in size (docs/operations.md "The audit log").
 */
import { sql } from 'drizzle-orm';
import { bigint, bigserial, check, index, integer, jsonb, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { cutover, tstz } from './cutover-schema';

export const AUDIT_OUTCOMES = ['ok', 'refused', 'invalid', 'failed'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export const auditEvents = cutover.table(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: tstz('at').notNull().defaultNow(),
    userId: integer('user_id'),
    username: text('username'),
    action: text('action').notNull(),
    outcome: text('outcome').notNull().$type<AuditOutcome>(),
    inputs: jsonb('inputs').notNull().default({}),
    detail: jsonb('detail').notNull().default({}),
    /**
     * The tamper-evident chain, set by lib/auth/audit-append.ts at insert: position, the previous row's hash, this
     * row's (HMAC-SHA256 with a key the database does not hold; docs/operations.md "The audit log").
     */
    chainPosition: bigint('chain_position', { mode: 'number' }),
    prevHash: text('prev_hash'),
    rowHash: text('row_hash'),
  },
  (t) => [
    uniqueIndex('audit_events_chain_position_idx').on(t.chainPosition),
    index('audit_events_at_idx').on(t.at.desc()),
    index('audit_events_action_idx').on(t.action, t.at),
    check('audit_events_outcome_check', sql`${t.outcome} in ('ok','refused','invalid','failed')`),
    // The row cap (drizzle/0015_audit_bounded_refusals.sql, lib/auth/audit-row-cap.ts).
    check(
      'audit_events_row_bytes_check',
      sql`octet_length(coalesce(${t.username}, '')) + octet_length(${t.action}) + octet_length(${t.inputs}::text) + octet_length(${t.detail}::text) <= 16384`,
    ),
    // Every row is chained (drizzle/0017_audit_keyed_chain.sql): a writer around audit-append.ts is refused.
    check('audit_events_chained_check', sql`${t.chainPosition} IS NOT NULL AND ${t.rowHash} IS NOT NULL`),
  ],
);
