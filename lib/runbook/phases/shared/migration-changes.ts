/**
 * What a migration run has changed that a rollback would need to undo, read from the database
 * as it is now and compared with the phase 1 backup (docs/phases.md, "Abandoning a migration run").
 * A run that changed nothing of the kind may be abandoned (closed without a rollback); one that did
 * must be rolled back, and the refusal names what changed.
 */
import type { SqlOrTx } from '../../../db/connection';
import type { PhaseRegistry } from '../../engine/phase-registry';
import { listPhaseRuns } from '../../engine/run-state';
import type { PhaseDefinition } from '../../engine/types';
import { PHASES } from '..';
import { AGGREGATOR_5M } from '../5-switch/aggregator-function';
import { backedUpFunction, backupTableName, getBackup } from './backup';
import { readFunctionFacts } from './function-inspection';

export async function findRollbackRelevantChanges(
  sql: SqlOrTx,
  params: { migrationRunId: number; phases?: PhaseRegistry<PhaseDefinition> },
): Promise<string[]> {
  const phases = params.phases ?? PHASES;
  const changes: string[] = [];
  // Runs whose mere start may have changed the workers or the legacy rows (each phase says so).
  for (const run of await listPhaseRuns(sql, { migrationRunId: params.migrationRunId })) {
    const changed = phases.isId(run.phase) ? phases.find(run.phase).changesWhenStarted : undefined;
    if (changed && run.startedAt !== null)
      changes.push(`${phases.label(run.phase)} (run #${run.id}, ${run.status}) ${changed}`);
  }
  const backup = await getBackup(sql, { migrationRunId: params.migrationRunId });
  if (!backup) return changes; // Phase 1 never wrote its backup: no later phase could run.

  const copy = `cutover.${backupTableName(params.migrationRunId, 'data_bars')}`;
  const [rows] = await sql.unsafe<{ added: number; changed: number; removed: number }[]>(
    `SELECT (SELECT count(*) FROM public.data_bars d WHERE d.canonical_symbol = 'DXY'
               AND NOT EXISTS (SELECT 1 FROM ${copy} b WHERE b.id = d.id)) AS added,
            (SELECT count(*) FROM public.data_bars d JOIN ${copy} b ON b.id = d.id
              WHERE d.source IS DISTINCT FROM b.source OR d.close IS DISTINCT FROM b.close
                 OR (to_jsonb(b) ? 'raw' AND to_jsonb(d)->'raw' IS DISTINCT FROM to_jsonb(b)->'raw')) AS changed,
            (SELECT count(*) FROM ${copy} b
              WHERE NOT EXISTS (SELECT 1 FROM public.data_bars d WHERE d.id = b.id)) AS removed`,
  );
  if (rows && rows.added > 0) changes.push(`${rows.added} DXY rows were added to data_bars (phase 4, 6 or the bridge)`);
  if (rows && rows.changed > 0)
    changes.push(`${rows.changed} DXY rows in data_bars differ from the backup (phase 2's fix?)`);
  if (rows && rows.removed > 0) changes.push(`${rows.removed} backed-up DXY rows are gone from data_bars`);

  const saved = backedUpFunction(backup, AGGREGATOR_5M);
  const live = await readFunctionFacts(sql, [AGGREGATOR_5M]);
  if (saved && (live.length !== 1 || live[0]?.definition !== saved.definition))
    changes.push(`${AGGREGATOR_5M} is not the backed-up definition (phase 5 replaced it)`);

  const [registry] = await sql<{ metadata: unknown }[]>`
    select to_jsonb(r)->'metadata' as metadata from public.core_asset_registry_all r where canonical_symbol = 'DXY'`;
  const before = backup.registryRow?.metadata ?? null;
  const now = registry?.metadata ?? null;
  const emptyBoth =
    (before === null || JSON.stringify(before) === '{}') && (now === null || JSON.stringify(now) === '{}');
  if (!emptyBoth && JSON.stringify(before) !== JSON.stringify(now))
    changes.push(`DXY's registry metadata differs from the backup (phase 5 wrote it)`);
  return changes;
}
