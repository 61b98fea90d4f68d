/**
 * Phase 1's gate (docs/phases.md "Validate — before the night"): phase 1 starts only after a GO
 * from the last 24 hours, or within 24 hours of an admin's audited override that no phase 1
 * start has used yet. Times are the database's (wall time), never the rehearsal clock: the
 * dry run is about the real night.
 */
import type { SqlOrTx } from '../../db/connection';
import {
  latestValidation,
  latestValidationOverride,
  type Validation,
  type ValidationOverride,
} from '../../db/tables/validations';
import type { Check } from '../engine/verification';

export const VALIDATION_GATE_CHECK = 'Validated: a GO from the last 24 hours (or an admin’s override)';
export const VALIDATION_VALID_HOURS = 24;

export interface ValidationGate {
  passed: boolean;
  latest: Validation | null;
  override: ValidationOverride | null;
  /** The override is what lets phase 1 start (no current GO). */
  byOverride: boolean;
  detail: string;
}

export async function readValidationGate(sql: SqlOrTx): Promise<ValidationGate> {
  const latest = await latestValidation(sql);
  const override = await latestValidationOverride(sql);
  const [facts] = await sql<{ fresh: boolean; override_fresh: boolean; override_used: boolean }[]>`
    select coalesce(${latest?.finishedAt ?? null}::timestamptz > now() - make_interval(hours => ${VALIDATION_VALID_HOURS}), false) as fresh,
           coalesce(${override?.createdAt ?? null}::timestamptz > now() - make_interval(hours => ${VALIDATION_VALID_HOURS}), false) as override_fresh,
           exists (select 1 from cutover.phase_runs where phase = '1' and requested_at > ${override?.createdAt ?? null}::timestamptz) as override_used`;
  const described = latest
    ? `the latest validation (#${latest.id}, ${latest.finishedAt.toISOString()} by ${latest.requestedBy}) is ${latest.verdict === 'go' ? 'GO' : 'NO-GO'}`
    : 'no validation has run';
  if (latest?.verdict === 'go' && facts?.fresh)
    return { passed: true, latest, override, byOverride: false, detail: described };
  const overrideCounts =
    override !== null &&
    Boolean(facts?.override_fresh) &&
    !facts?.override_used &&
    (latest === null || override.createdAt >= latest.finishedAt);
  if (override && overrideCounts)
    return {
      passed: true,
      latest,
      override,
      byOverride: true,
      detail: `${described}; overridden by ${override.overriddenBy} at ${override.createdAt.toISOString()}: ${override.reason}`,
    };
  const why = latest?.verdict === 'go' ? `${described}, older than ${VALIDATION_VALID_HOURS} hours` : described;
  return {
    passed: false,
    latest,
    override,
    byOverride: false,
    detail: `${why}: run Validate (page /validate or \`npm run cutover -- validate\`) and get a GO, or have an admin override it with a reason`,
  };
}

/** Phase 1's precondition: checked when it is requested, not again by the runner's claim. */
export async function validationGateCheck(sql: SqlOrTx): Promise<Check> {
  const gate = await readValidationGate(sql);
  return {
    name: VALIDATION_GATE_CHECK,
    passed: gate.passed,
    detail: gate.detail,
    startOnly: true,
    evidence: { validationId: gate.latest?.id ?? null, overrideId: gate.byOverride ? gate.override?.id : null },
  };
}
