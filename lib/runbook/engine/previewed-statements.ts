/**
 * What a run may write with: the statements of its phase's preview, computed once when a runner
 * first advances the run (for a run that needed an approval, the binding has already proven this
 * preview is the approved one). A statement whose text is not among them is refused before it
 * reaches the database; each previewed statement that runs is noted once in the run's log, so the
 * log shows which of the approved statements were executed (docs/phases.md "Statements and stages").
 */
import type { Database, SqlOrTx } from '../../db/connection';
import { insertPhaseRunEvent, listNotedStatementKeys } from '../../db/tables/phase-run-events';
import type { Clock } from '../../market/clock';
import type { RunbookConfig } from './config';
import type { PhaseRunRow } from './run-state';
import { type BoundStatement, runBound, statementKey, UnpreviewedStatement } from './statements';
import type { PhaseDefinition } from './types';

export interface PreviewedStatements {
  /** The keys (./statements.ts statementKey) of the previewed statements, in preview order. */
  keys: readonly string[];
  execute<T extends object>(tx: SqlOrTx, statement: BoundStatement): Promise<{ rows: T[]; count: number }>;
}

// Per database and run: a run's preview is fixed for its whole execution, and recomputing it every
// tick would repeat its reads (phase 4's range over the whole history) for nothing. A run's id is unique
// only within its database: keyed by the id alone, a process serving another database (the tests make
// one per world) took a run of the same number's list, and its log lines went to the other database.
const byDatabase = new WeakMap<Database, Map<number, PreviewedStatements>>();

function runsOf(database: Database): Map<number, PreviewedStatements> {
  let runs = byDatabase.get(database);
  if (!runs) {
    runs = new Map();
    byDatabase.set(database, runs);
  }
  return runs;
}

export async function previewedStatementsOf(params: {
  database: Database;
  clock: Clock;
  config: RunbookConfig;
  phase: PhaseDefinition;
  run: PhaseRunRow;
}): Promise<PreviewedStatements> {
  const { database, run } = params;
  const cached = runsOf(database).get(run.id);
  if (cached) return cached;
  const preview = await params.phase.preview({
    database,
    clock: params.clock,
    config: params.config,
    migrationRunId: run.migrationRunId,
    options: run.options,
  });
  const keys = preview.sql.map(statementKey);
  const noted = new Set(await listNotedStatementKeys(database.sql, { phaseRunId: run.id }));
  // The list this run is held to, in its log: what the approver saw is what it may run.
  await insertPhaseRunEvent(database.sql, {
    phaseRunId: run.id,
    level: 'info',
    message:
      keys.length === 0
        ? 'Its preview lists no statement that writes: it may change nothing'
        : `May run only the ${keys.length} statement${keys.length === 1 ? '' : 's'} of its preview`,
    data: { previewedStatements: keys },
  });
  const previewed: PreviewedStatements = {
    keys,
    async execute<T extends object>(tx: SqlOrTx, statement: BoundStatement) {
      const key = statementKey(statement.text);
      const index = keys.indexOf(key);
      if (index < 0) throw new UnpreviewedStatement(statement.text);
      const result = await runBound<T>(tx, statement);
      if (!noted.has(key)) {
        noted.add(key);
        const planned = preview.statements?.[index];
        const stage = planned?.stageTitle ?? planned?.stage;
        await insertPhaseRunEvent(database.sql, {
          phaseRunId: run.id,
          level: 'info',
          message: `Ran statement ${index + 1} of ${keys.length} of the preview${stage ? ` (${stage})` : ''}`,
          data: { statement: key },
        });
      }
      return result;
    },
  };
  runsOf(database).set(run.id, previewed);
  return previewed;
}

/** Forgets a finished run's statements (the runner calls it when the run ends). */
export function forgetPreviewedStatements(database: Database, runId: number): void {
  byDatabase.get(database)?.delete(runId);
}
