/**
 * Who can execute a function, asked of the database for every role rather than assumed from a
 * `REVOKE … FROM PUBLIC` (docs/domain.md, "Production as it really is"): on Supabase the default
 * privileges grant EXECUTE on every new function in `public` to `anon` and `authenticated`
 * directly, so a SECURITY DEFINER writer would stay callable by every signed-in app user.
 */
import type { SqlOrTx } from '../../../db/connection';
import type { Check } from '../../engine/verification';

export type ExecuteReason =
  | 'superuser'
  | 'owner'
  | 'member of the owner'
  | 'worker role'
  | 'member of the worker role'
  | 'granted';

export interface RoleExecute {
  role: string;
  canExecute: boolean;
  /** Why the role may execute (null when it may not). */
  reason: ExecuteReason | null;
  /** False when the role may execute but should not. */
  allowed: boolean;
}

export interface ExecutePrivileges {
  signature: string;
  owner: string;
  publicCanExecute: boolean;
  /** Roles holding a direct EXECUTE grant (besides PUBLIC), as the ACL lists them. */
  grantees: string[];
  roles: RoleExecute[];
}

interface RoleRow {
  role: string;
  super: boolean;
  can_execute: boolean;
  is_owner: boolean;
  member_of_owner: boolean;
  is_worker: boolean;
  member_of_worker: boolean;
}

export async function readExecutePrivileges(
  sql: SqlOrTx,
  params: { signature: string; workerRole: string },
): Promise<ExecutePrivileges> {
  const target = `public.${params.signature}`;
  const [fn] = await sql<{ owner: string; public_can_execute: boolean; grantees: string[] }[]>`
    select pg_get_userbyid(p.proowner) as owner,
           exists (select 1 from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                    where a.grantee = 0 and a.privilege_type = 'EXECUTE') as public_can_execute,
           coalesce((select array_agg(distinct pg_get_userbyid(a.grantee) order by pg_get_userbyid(a.grantee))
                       from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                      where a.grantee <> 0 and a.grantee <> p.proowner and a.privilege_type = 'EXECUTE'), '{}') as grantees
      from pg_proc p where p.oid = ${target}::regprocedure`;
  if (!fn) throw new Error(`Function ${target} not found.`);
  const rows = await sql<RoleRow[]>`
    with worker as (select oid from pg_roles where rolname = ${params.workerRole})
    select r.rolname as role, r.rolsuper as super,
           has_function_privilege(r.oid, ${target}::regprocedure, 'EXECUTE') as can_execute,
           r.oid = p.proowner as is_owner,
           pg_has_role(r.oid, p.proowner, 'USAGE') as member_of_owner,
           r.oid = (select oid from worker) as is_worker,
           coalesce((select pg_has_role(r.oid, w.oid, 'USAGE') from worker w), false) as member_of_worker
      from pg_roles r cross join (select proowner from pg_proc where oid = ${target}::regprocedure) p
     order by r.rolname`;
  const roles = rows.map((row): RoleExecute => {
    const reason: ExecuteReason | null = !row.can_execute
      ? null
      : row.super
        ? 'superuser'
        : row.is_owner
          ? 'owner'
          : row.is_worker
            ? 'worker role'
            : row.member_of_owner
              ? 'member of the owner'
              : row.member_of_worker
                ? 'member of the worker role'
                : 'granted';
    return { role: row.role, canExecute: row.can_execute, reason, allowed: reason !== 'granted' };
  });
  return {
    signature: params.signature,
    owner: fn.owner,
    publicCanExecute: fn.public_can_execute,
    grantees: fn.grantees,
    roles,
  };
}

/**
 * REVOKE statements that leave EXECUTE to the owner and the worker role only: from PUBLIC and from
 * every other role the ACL names (Supabase's default privileges grant to anon and authenticated).
 */
export function restrictExecuteStatements(privileges: ExecutePrivileges, workerRole: string): string[] {
  const target = `public.${privileges.signature}`;
  return [
    `REVOKE ALL ON FUNCTION ${target} FROM PUBLIC`,
    ...privileges.grantees
      .filter((role) => role !== workerRole && role !== privileges.owner)
      .map((role) => `REVOKE ALL ON FUNCTION ${target} FROM ${quoteIdent(role)}`),
  ];
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A verification check: every role that may execute is a superuser, the owner or the worker role (or a member). */
export function executePrivilegesCheck(privileges: ExecutePrivileges, workerRole: string): Check {
  const offending = privileges.roles.filter((r) => !r.allowed).map((r) => r.role);
  const executing = privileges.roles.filter((r) => r.canExecute);
  const worker = privileges.roles.find((r) => r.role === workerRole);
  const passed = offending.length === 0 && !privileges.publicCanExecute && (worker ? worker.canExecute : true);
  const listing = executing.map((r) => `${r.role} (${r.reason})`).join(', ');
  return {
    name: `Only the owner and ${workerRole} can execute ${privileges.signature.split('(')[0]}`,
    passed,
    detail: passed
      ? `may execute: ${listing || 'nobody but superusers'}; PUBLIC may not`
      : [
          privileges.publicCanExecute ? 'PUBLIC may execute' : '',
          offending.length > 0 ? `also executable by ${offending.join(', ')}` : '',
          worker && !worker.canExecute ? `${workerRole} may not execute it` : '',
        ]
          .filter(Boolean)
          .join('; '),
    evidence: {
      publicCanExecute: privileges.publicCanExecute,
      roles: privileges.roles.map((r) => ({ role: r.role, execute: r.canExecute, reason: r.reason })),
    },
  };
}
