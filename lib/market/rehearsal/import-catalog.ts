/**
 * The database objects outside the system and console schemas, before and after an import: the difference is what
 * the import created, named so the next import or reset drops exactly that (imported-objects.ts).
 */
import type { TransactionSql } from 'postgres';
import type { ImportedObject } from './imported-objects';

/** Objects of the database outside the system and console schemas, as (catalog, oid) keys. */
export async function catalogObjects(tx: TransactionSql): Promise<Set<string>> {
  const rows = await tx<{ key: string }[]>`
    with user_namespaces as (
      select oid from pg_catalog.pg_namespace
       where nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'cutover')
         and nspname not like 'pg_temp%' and nspname not like 'pg_toast_temp%')
    select 'pg_namespace:' || n.oid as key from pg_catalog.pg_namespace n where n.oid in (select oid from user_namespaces)
    union all
    select 'pg_class:' || c.oid from pg_catalog.pg_class c
     where c.relnamespace in (select oid from user_namespaces) and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
    union all
    select 'pg_proc:' || p.oid from pg_catalog.pg_proc p where p.pronamespace in (select oid from user_namespaces)
    union all
    select 'pg_type:' || t.oid from pg_catalog.pg_type t
     where t.typnamespace in (select oid from user_namespaces) and t.typtype in ('d', 'e', 'r', 'c')
       and (t.typrelid = 0 or (select relkind from pg_catalog.pg_class where oid = t.typrelid) = 'c')
    union all
    select 'pg_extension:' || e.oid from pg_catalog.pg_extension e`;
  return new Set(rows.map((r) => r.key));
}

export async function identifyObjects(tx: TransactionSql, keys: string[]): Promise<ImportedObject[]> {
  if (keys.length === 0) return [];
  return tx<ImportedObject[]>`
    select o.type, o.identity
      from unnest(${keys}::text[]) as k(key)
      cross join lateral pg_catalog.pg_identify_object(
        split_part(k.key, ':', 1)::regclass::oid, split_part(k.key, ':', 2)::oid, 0) as o
     order by 1, 2`;
}
