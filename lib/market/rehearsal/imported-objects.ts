/**
 * What a world imported from a pg_dump created beyond the pipeline tables (production's other
 * tables, functions, types, schemas, extensions), recorded in the import report so that the next
 * import or `rehearsal:reset` drops exactly that and nothing the import did not create.
 */
import type { SqlOrTx } from '../../db/connection';
import { readRehearsalWorld } from '../../db/tables/rehearsal-world';

export interface ImportedObject {
  /** As pg_identify_object names it: `table`, `function`, `sequence`, `schema`, … */
  type: string;
  /** Schema-qualified and quoted (pg_identify_object), usable in DROP. */
  identity: string;
}

const DROP_ORDER = ['extension', 'view', 'materialized view', 'foreign table', 'table', 'sequence', 'function'];

/** Drops what an earlier import created; nothing when the world was generated (no import report). */
export async function dropImportedObjects(sql: SqlOrTx): Promise<void> {
  const world = await readRehearsalWorld(sql);
  // The report is the ImportReport that lib/market/rehearsal/import-dump.ts stored.
  const imported = (world?.importReport?.objects ?? null) as ImportedObject[] | null;
  const objects = [...(imported ?? [])].sort(
    (a, b) =>
      (DROP_ORDER.indexOf(a.type) + 1 || DROP_ORDER.length + 1) -
      (DROP_ORDER.indexOf(b.type) + 1 || DROP_ORDER.length + 1),
  );
  for (const object of objects) {
    const kind = object.type === 'composite type' || object.type === 'enum' ? 'type' : object.type;
    if (
      !/^(extension|view|materialized view|foreign table|table|sequence|function|procedure|aggregate|type|domain|schema)$/.test(
        kind,
      )
    )
      continue;
    // Identities come from pg_identify_object: already quoted and schema-qualified.
    await sql.unsafe(`DROP ${kind.toUpperCase()} IF EXISTS ${object.identity} CASCADE`);
  }
}
