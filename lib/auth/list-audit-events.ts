import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../db/connection';
import { AUDIT_OUTCOMES, auditEvents } from '../db/console-schema';

export const auditFilterSchema = z.object({
  user: z.string().trim().max(64).optional().catch(undefined),
  action: z.string().trim().max(100).optional().catch(undefined),
  outcome: z.enum(AUDIT_OUTCOMES).optional().catch(undefined),
  /** Keyset pagination: show events older than this id. */
  before: z.coerce.number().int().positive().optional().catch(undefined),
});

export type AuditFilter = z.infer<typeof auditFilterSchema>;

/** One row of the audit log as the audit page shows it (derived from the table, never written by hand). */
export type AuditEventRow = typeof auditEvents.$inferSelect;

/** The outcomes an audit row can record, for the page's filter. */
export { AUDIT_OUTCOMES };

export const AUDIT_PAGE_SIZE = 100;

/**
 * What a reader may not see of a stored row's inputs and detail. Rows written before worker output was
 * redacted at the source still hold command text and stderr; the page hands lib/runbook's hideWorkerOutput
 * for everyone but admins (lib/auth may not import lib/runbook: docs/architecture.md "The parts").
 */
export type HideFromReader = <T>(value: T) => T;

export async function listAuditEvents(
  db: DbOrTx,
  filter: AuditFilter,
  options: { hide?: HideFromReader } = {},
): Promise<AuditEventRow[]> {
  const conditions: SQL[] = [];
  if (filter.user) conditions.push(eq(auditEvents.username, filter.user));
  if (filter.action) conditions.push(eq(auditEvents.action, filter.action));
  if (filter.outcome) conditions.push(eq(auditEvents.outcome, filter.outcome));
  if (filter.before) conditions.push(lt(auditEvents.id, filter.before));
  return db
    .select()
    .from(auditEvents)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(auditEvents.id))
    .limit(AUDIT_PAGE_SIZE)
    .then((rows) => {
      const hide = options.hide;
      return hide ? rows.map((row) => ({ ...row, inputs: hide(row.inputs), detail: hide(row.detail) })) : rows;
    });
}

export async function listAuditFacets(db: DbOrTx): Promise<{ users: string[]; actions: string[] }> {
  const users = await db
    .selectDistinct({ value: auditEvents.username })
    .from(auditEvents)
    .orderBy(auditEvents.username);
  const actions = await db.selectDistinct({ value: auditEvents.action }).from(auditEvents).orderBy(auditEvents.action);
  return {
    users: users.map((row) => row.value).filter((value): value is string => Boolean(value)),
    actions: actions.map((row) => row.value),
  };
}
