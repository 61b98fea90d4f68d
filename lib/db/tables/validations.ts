/**
 * cutover.validations and cutover.validation_overrides: the stored dry runs (lib/runbook/validate)
 * and an admin's overrides of them. Phase 1's precondition reads the latest of each.
 */
import { toJsonValue } from '../../json';
import type { SqlOrTx } from '../connection';
import { type ValidationItem, type ValidationVerdict, validationOverrides, validations } from '../console-schema';
import { columnsOf, rowOf } from './rows';

export type Validation = typeof validations.$inferSelect;
export type ValidationOverride = typeof validationOverrides.$inferSelect;

export async function insertValidation(
  sql: SqlOrTx,
  params: {
    requestedBy: string;
    startedAt: Date;
    finishedAt: Date;
    verdict: ValidationVerdict;
    items: readonly ValidationItem[];
    databaseIdentity: Record<string, unknown>;
  },
): Promise<Validation> {
  const [row] = await sql`
    insert into cutover.validations (requested_by, started_at, finished_at, verdict, items, database_identity)
    values (${params.requestedBy}, ${params.startedAt}, ${params.finishedAt}, ${params.verdict},
            ${sql.json(toJsonValue(params.items))}, ${sql.json(toJsonValue(params.databaseIdentity))})
    returning ${columnsOf(sql, validations)}`;
  if (!row) throw new Error('The validation was not stored.');
  return rowOf(validations, row);
}

export async function latestValidation(sql: SqlOrTx): Promise<Validation | null> {
  const [row] = await sql`
    select ${columnsOf(sql, validations)} from cutover.validations order by finished_at desc, id desc limit 1`;
  return row ? rowOf(validations, row) : null;
}

export async function insertValidationOverride(
  sql: SqlOrTx,
  params: { overriddenBy: string; reason: string; validationId: number | null },
): Promise<ValidationOverride> {
  const [row] = await sql`
    insert into cutover.validation_overrides (overridden_by, reason, validation_id)
    values (${params.overriddenBy}, ${params.reason}, ${params.validationId})
    returning ${columnsOf(sql, validationOverrides)}`;
  if (!row) throw new Error('The override was not stored.');
  return rowOf(validationOverrides, row);
}

export async function latestValidationOverride(sql: SqlOrTx): Promise<ValidationOverride | null> {
  const [row] = await sql`
    select ${columnsOf(sql, validationOverrides)} from cutover.validation_overrides order by created_at desc, id desc limit 1`;
  return row ? rowOf(validationOverrides, row) : null;
}

/** The latest validation finished before `at` (the report: what phase 1 of a migration run stood on). */
export async function latestValidationBefore(sql: SqlOrTx, at: Date): Promise<Validation | null> {
  const [row] = await sql`
    select ${columnsOf(sql, validations)} from cutover.validations where finished_at <= ${at}
     order by finished_at desc, id desc limit 1`;
  return row ? rowOf(validations, row) : null;
}

/** The latest override given before `at`. */
export async function latestValidationOverrideBefore(sql: SqlOrTx, at: Date): Promise<ValidationOverride | null> {
  const [row] = await sql`
    select ${columnsOf(sql, validationOverrides)} from cutover.validation_overrides where created_at <= ${at}
     order by created_at desc, id desc limit 1`;
  return row ? rowOf(validationOverrides, row) : null;
}
