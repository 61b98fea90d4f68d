/**
 * The migration report's "Dry run (validate)" section: the latest validation before the migration
 * run's phase 1, its NO-GO items, and the admin's override phase 1 started on, if any.
 */
import type { SqlOrTx } from '../../db/connection';
import { latestValidationBefore, latestValidationOverrideBefore } from '../../db/tables/validations';
import type { ValidationItem, ValidationVerdict } from './verdict';

export interface ReportValidation {
  id: number;
  finishedAt: Date;
  requestedBy: string;
  verdict: ValidationVerdict;
  noGo: ValidationItem[];
  findings: number;
}

export interface ReportValidationSection {
  validation: ReportValidation | null;
  /** The override phase 1 started on: given after that validation (or with none). */
  override: { overriddenBy: string; createdAt: Date; reason: string } | null;
}

export async function readValidationBefore(sql: SqlOrTx, at: Date): Promise<ReportValidationSection> {
  const latest = await latestValidationBefore(sql, at);
  const override = await latestValidationOverrideBefore(sql, at);
  const used = override && (!latest || override.createdAt >= latest.finishedAt) ? override : null;
  return {
    validation: latest && {
      id: latest.id,
      finishedAt: latest.finishedAt,
      requestedBy: latest.requestedBy,
      verdict: latest.verdict,
      noGo: latest.items.filter((i) => i.status === 'no-go'),
      findings: latest.items.filter((i) => i.status === 'finding').length,
    },
    override: used && { overriddenBy: used.overriddenBy, createdAt: used.createdAt, reason: used.reason },
  };
}
