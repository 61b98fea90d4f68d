/**
 * What the database says about a function, read from pg_proc — never assumed from the plan's text
 * (docs/domain.md, "Production as it really is"). `CREATE OR REPLACE` with another argument list or
 * result type adds an overload instead of replacing, and it resets SECURITY DEFINER and `SET`
 * clauses to whatever the new text says, so every phase that replaces a function compares these
 * facts before and after.
 */
import type { SqlOrTx } from '../../../db/connection';

export interface FunctionFacts {
  name: string;
  /** `oid::regprocedure`, e.g. `aggregate_1m_to_5m_window(text,timestamp with time zone,…)`: usable in DDL. */
  signature: string;
  /** `pg_get_function_identity_arguments`: names and types of the arguments that identify it. */
  identityArguments: string;
  /** `pg_get_function_arguments`: with defaults, as the workers' named calls see it. */
  arguments: string;
  /** `pg_get_function_result`, e.g. `jsonb` or `integer`. */
  resultType: string;
  owner: string;
  securityDefiner: boolean;
  /** `proconfig`, e.g. `['search_path=public']`, or null. */
  config: string[] | null;
  /** `proacl` as text items, or null for the owner's default privileges. */
  acl: string[] | null;
  definition: string;
}

/** Every overload of each named function in schema public, ordered by name and signature. */
export async function readFunctionFacts(sql: SqlOrTx, names: readonly string[]): Promise<FunctionFacts[]> {
  return sql<FunctionFacts[]>`
    select p.proname as name,
           p.oid::regprocedure::text as signature,
           pg_get_function_identity_arguments(p.oid) as "identityArguments",
           pg_get_function_arguments(p.oid) as arguments,
           pg_get_function_result(p.oid) as "resultType",
           pg_get_userbyid(p.proowner) as owner,
           p.prosecdef as "securityDefiner",
           p.proconfig as config,
           p.proacl::text[] as acl,
           pg_get_functiondef(p.oid) as definition
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'public' and p.proname in ${sql([...names])}
     order by 1, 2`;
}

/** The attributes a replacement must keep, as one comparable string per aspect. */
export function functionAttributeDifferences(before: FunctionFacts, after: FunctionFacts): string[] {
  const differences: string[] = [];
  const compare = (label: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b))
      differences.push(`${label}: ${JSON.stringify(a)} → ${JSON.stringify(b)}`);
  };
  compare('identity arguments', before.identityArguments, after.identityArguments);
  compare('arguments and defaults', before.arguments, after.arguments);
  compare('result type', before.resultType, after.resultType);
  compare('owner', before.owner, after.owner);
  compare('SECURITY DEFINER', before.securityDefiner, after.securityDefiner);
  compare('configuration (SET …)', before.config ?? [], after.config ?? []);
  compare('privileges', [...(before.acl ?? [])].sort(), [...(after.acl ?? [])].sort());
  return differences;
}

/** `SET` clauses of an `ALTER FUNCTION` that gives a function exactly the `proconfig` given. */
export function configStatements(signature: string, config: string[] | null): string[] {
  const statements = [`ALTER FUNCTION public.${signature} RESET ALL`];
  for (const item of config ?? []) {
    const at = item.indexOf('=');
    const name = item.slice(0, at);
    const value = item.slice(at + 1);
    if (!/^[a-z_][a-z0-9_.]*$/i.test(name)) throw new Error(`Unexpected configuration item on ${signature}: ${item}`);
    // search_path's value is a list; the others are single values. Both are kept verbatim, quoted per item.
    const values = name === 'search_path' ? value.split(',').map((v) => v.trim()) : [value];
    const quoted = values.map((v) => `'${v.replace(/^"(.*)"$/, '$1').replace(/'/g, "''")}'`).join(', ');
    statements.push(`ALTER FUNCTION public.${signature} SET ${name} = ${quoted}`);
  }
  return statements;
}
