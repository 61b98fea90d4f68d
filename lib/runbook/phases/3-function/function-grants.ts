/**
 * calc_dxy_range_1m's privileges: created with EXECUTE granted to the worker role (which must exist) and revoked
 * from everyone else, PUBLIC and the roles default privileges granted it to.
 */
import type { TransactionSql } from 'postgres';
import type { SqlOrTx } from '../../../db/connection';
import type { TextRunner } from '../../engine/statements';
import { readExecutePrivileges, restrictExecuteStatements } from '../shared/function-privileges';
import { CALC_DXY_RANGE_1M_SIGNATURE } from './calc-dxy-range-1m';

/** The identity the function is created with (regprocedure form, without the schema). */
export const CALC_DXY_RANGE_1M_IDENTITY = 'calc_dxy_range_1m(timestamptz, timestamptz, integer)';
export const CALC_DXY_RANGE_1M_IDENTITY_ARGUMENTS =
  'p_from_utc timestamp with time zone, p_to_utc timestamp with time zone, p_derivation_version integer';

export async function workerRoleExists(sql: SqlOrTx, role: string): Promise<boolean> {
  const [row] = await sql`select 1 from pg_roles where rolname = ${role}`;
  return Boolean(row);
}

/**
 * Creates the function, grants EXECUTE to the worker role and revokes it from everyone else:
 * revoking from PUBLIC is not enough where default privileges granted EXECUTE to roles directly
 * (Supabase: anon, authenticated). Returns the roles it was revoked from.
 */
export async function createWithGrants(
  tx: TransactionSql,
  params: { definition: string; workerRole: string; run: TextRunner },
): Promise<string[]> {
  await params.run(tx, params.definition);
  await params.run(tx, grantSql(params.workerRole));
  const privileges = await readExecutePrivileges(tx, {
    signature: CALC_DXY_RANGE_1M_IDENTITY,
    workerRole: params.workerRole,
  });
  for (const statement of restrictExecuteStatements(privileges, params.workerRole)) await params.run(tx, statement);
  return privileges.grantees.filter((g) => g !== params.workerRole);
}

export function missingRoleMessage(role: string): string {
  return `role ${role} does not exist: the workers could not call calc_dxy_range_1m. Create the role, or set CUTOVER_WORKER_ROLE to the workers' role.`;
}

function grantSql(role: string): string {
  return `GRANT EXECUTE ON FUNCTION ${CALC_DXY_RANGE_1M_SIGNATURE} TO "${role.replace(/"/g, '""')}"`;
}
