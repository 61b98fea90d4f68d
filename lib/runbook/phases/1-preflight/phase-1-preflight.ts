/**
 * Phase 1 — pre-flight and backup. Checks connectivity, server version, the tables and columns
 * the migration reads, records the pre-state counts, and takes the in-database backup of
 * exactly what the migration changes, proven by restoring it into a scratch schema (rolled back) and
 * diffing it with the live source by key and value, plus a pg_dump file when a compatible pg_dump
 * exists. Re-running keeps a verified backup as it is, and proves it again.
 */
import { z } from 'zod';
import { connectionUrlOf } from '../../../db/connection';
import { findMissingPipelineTables } from '../../../db/pipeline-tables';
import { insertBackup, setBackupDump, setBackupVerified } from '../../../db/tables/backups';
import { nextMigrationRunId } from '../../../db/tables/migration-runs';
import { countDxyRows } from '../../../market/dxy-counts';
import { definePhase } from '../../engine/define-phase';
import { getLatestSucceededRun } from '../../engine/run-state';
import { bound, planned } from '../../engine/statements';
import type { Check } from '../../engine/verification';
import { validationGateCheck } from '../../validate/gate';
import {
  BACKED_UP_FUNCTIONS,
  backedUpOverloads,
  backupStatements,
  copyBarTables,
  getBackup,
  readAggState,
  readConstraintDefinitions,
  readFunctionDefinitions,
  readRegistryRow,
} from '../shared/backup';
import { describeExistingDxyRows, readExistingDxyRows } from '../shared/earlier-attempt';
import type { FunctionFacts } from '../shared/function-inspection';
import { missingRequiredColumns, serverMajorVersion } from '../shared/schema-inspection';
import { proveBackupRestorable } from './backup-restore-proof';
import { describeLegacyHoles, findLegacyHoles } from './legacy-holes';
import { dumpTouchedTables } from './pg-dump';

const MIN_SERVER_MAJOR = 13;
/** Before any bar of any pipeline: the holes finding covers the whole history. */
const HISTORY_START = new Date('1970-01-01T00:00:00Z');

function describeFunction(f: FunctionFacts): string {
  // Older backups hold only the definition and signature.
  if (f.resultType === undefined) return f.signature;
  return (
    `${f.name}(${f.identityArguments}) → ${f.resultType}, owner ${f.owner}` +
    `${f.securityDefiner ? ', SECURITY DEFINER' : ''}${f.config?.length ? `, SET ${f.config.join(' ')}` : ''}` +
    `, EXECUTE: ${f.acl === null ? 'default (PUBLIC)' : f.acl.join(' ')}`
  );
}

export const phase1Preflight = definePhase({
  id: '1',
  number: 1,
  day: 1,
  estimateMinutes: 15,
  pointOfNoReturn:
    "Writing the backup: its copy tables and record commit with their checks, and every later phase and a rollback stand on them. Nothing in the pipeline's tables, functions or registry changes.",
  stages: [{ id: 'backup', title: 'check, then back up what the migration changes' }],
  checkpoint: z.looseObject({ backupId: z.number().optional() }),
  title: 'Pre-flight + backup',
  intent: 'Connectivity, backup of the touched rows, pre-state counts.',
  // The backup it takes is what every later phase and a rollback stand on.
  opensMigrationRun: true,
  description:
    'Checks connectivity, the server version and every table and column the migration reads; records the DXY row counts ' +
    'before anything changes; copies the DXY rows of data_bars and derived_data_bars, the DXY registry row and cursors, ' +
    'the function and constraint definitions into the console schema; proves the backup restorable by restoring all of it into ' +
    'a scratch schema (rolled back) and diffing it with the live source by key and value; and writes a pg_dump file of the ' +
    'three tables when a compatible pg_dump is installed.',

  async preconditions({ database }) {
    const missing = await findMissingPipelineTables(database.sql);
    const required = missing.filter((t) => t !== 'ops_runlog');
    return [
      {
        name: 'Pipeline tables present',
        passed: required.length === 0,
        detail:
          required.length === 0
            ? 'data_bars, derived_data_bars, registry and cursors found'
            : `missing: ${required.join(', ')}`,
      },
      // The dry run of the whole plan (docs/phases.md "Validate — before the night"), or an admin's override.
      await validationGateCheck(database.sql),
    ];
  },

  async preview({ database, migrationRunId }) {
    // Before the first phase 1 the migration run does not exist yet: its id is the next one the sequence gives.
    const runId = migrationRunId ?? (await nextMigrationRunId(database.sql));
    const counts = await countDxyRows(database.sql).catch(() => null);
    return {
      summary: [
        'Check connectivity and server version (≥ 13).',
        'Check the columns the migration reads in data_bars, derived_data_bars, the registry and cursors.',
        'Record the DXY row counts of both tables.',
        'Copy the DXY rows of both tables into schema cutover (counts and checksums recorded in one snapshot).',
        `Save the definitions of ${BACKED_UP_FUNCTIONS.join(', ')}, the constraints and indexes, the DXY registry row and cursors.`,
        'Write a pg_dump file of the three tables when a pg_dump at least as new as the server is installed.',
        'Prove the backup restorable: restore the copies, registry row, cursors, constraints and function definitions into a scratch schema cutover_restore_check_<backup> (rolled back) and diff them with the live source by key and value.',
      ],
      sql: [],
      statements: backupStatements(runId).map((text) => planned('backup', text)),
      estimates: counts
        ? ({
            'DXY rows copied from data_bars': counts.dataBars1m,
            'DXY 1m rows copied from derived_data_bars': counts.derivedActive1m + counts.derivedSoftDeleted1m,
          } as Record<string, number>)
        : {},
    };
  },

  async execute(ctx) {
    const { sql, run } = ctx;
    const existing = await getBackup(sql, { migrationRunId: run.migrationRunId });
    // Only a backup a phase 1 run accepted is kept: one whose verification failed (a function
    // missing, pg_dump failing) is taken again, so fixing the cause and re-running is enough.
    const accepted = await getLatestSucceededRun(sql, { migrationRunId: run.migrationRunId, phase: '1' });
    if (existing?.verified && accepted) {
      await ctx.log(
        `A verified backup (#${existing.id}, ${existing.takenAt.toISOString()}) already exists for this migration run; kept as it is.`,
      );
      await ctx.commitStep(
        async () => countDxyRows(sql),
        (counts) => ({ result: { ...run.result, backupId: existing.id, alreadyDone: true, currentCounts: counts } }),
      );
      return { state: 'done' };
    }
    const version = await serverMajorVersion(sql);
    const missingColumns = await missingRequiredColumns(sql);
    if (version < MIN_SERVER_MAJOR)
      throw new Error(`PostgreSQL ${version} is older than the supported ${MIN_SERVER_MAJOR}.`);
    if (Object.keys(missingColumns).length > 0) {
      throw new Error(`Required columns are missing: ${JSON.stringify(missingColumns)}`);
    }
    await ctx.log(`Connected to PostgreSQL ${version}; required tables and columns present.`);
    if (existing) await ctx.log(`Backup #${existing.id} was never accepted by a successful phase 1: taking it again.`);

    // One snapshot for counts, copies and checksums, so they describe the same instant.
    const backupId = await ctx.commitStep(
      async (tx) => {
        const preState = await countDxyRows(tx);
        const tables = await copyBarTables(tx, run.migrationRunId, (t, text) => ctx.exec(t, bound(text)));
        const functions = await readFunctionDefinitions(tx);
        const constraints = await readConstraintDefinitions(tx);
        const registryRow = await readRegistryRow(tx);
        const aggState = await readAggState(tx);
        // Not verified yet: counts and checksums of copy and source in one snapshot agree by construction;
        // restoring the backup (below, once committed) is what proves it.
        const row = await insertBackup(tx, {
          migrationRunId: run.migrationRunId,
          phaseRunId: run.id,
          tables,
          functions,
          constraints,
          registryRow,
          aggState,
          verified: false,
        });
        return { backupId: row?.id ?? 0, preState, tables, version };
      },
      (value) => ({
        checkpoint: { backupId: value.backupId },
        result: {
          backupId: value.backupId,
          serverVersion: value.version,
          preState: value.preState,
          tables: value.tables,
        },
      }),
      { snapshot: true },
    );
    await ctx.log(`In-database backup #${backupId.backupId} written.`, { tables: backupId.tables });
    const written = await getBackup(sql, { migrationRunId: run.migrationRunId });
    if (!written) throw new Error(`Backup #${backupId.backupId} is not readable after its commit.`);
    const proof = await proveBackupRestorable(sql, written);
    const restorable = proof.every((c) => c.passed);
    await ctx.commitStep(
      (tx) => setBackupVerified(tx, { id: written.id, verified: restorable }),
      () => ({ result: { ...ctx.run.result, restoreProof: { backupId: written.id, checks: proof } } }),
    );
    await ctx.log(
      restorable
        ? `Backup #${written.id} restored into a scratch schema (rolled back): identical to the live source.`
        : `Backup #${written.id} is NOT restorable as taken: ${proof
            .filter((c) => !c.passed)
            .map((c) => `${c.name}: ${c.detail}`)
            .join(' | ')}`,
      {},
      restorable ? 'info' : 'error',
    );

    if (ctx.config.dumpDirectory) {
      const dump = await dumpTouchedTables({
        databaseUrl: connectionUrlOf(sql),
        serverMajorVersion: version,
        directory: ctx.config.dumpDirectory,
        label: `dxy-cutover-run${run.migrationRunId}-${run.runUuid.slice(0, 8)}`,
      });
      await setBackupDump(sql, { id: backupId.backupId, dumpFile: dump.file, dumpNote: dump.note });
      await ctx.log(dump.file ? `pg_dump written: ${dump.file}` : dump.note, {}, dump.file ? 'info' : 'warn');
    }
    return { state: 'done' };
  },

  async verify({ sql, run, clock }) {
    const backup = await getBackup(sql, { migrationRunId: run.migrationRunId });
    const checks: Check[] = [];
    checks.push({
      name: 'Backup written',
      passed: Boolean(backup),
      detail: backup ? `backup #${backup.id} at ${backup.takenAt.toISOString()}` : 'no backup row',
    });
    if (!backup) return { passed: false, checks };
    // Restored into a scratch schema (rolled back) and diffed with the live source by key and value: by this
    // run right after it committed the backup, or now for a backup an earlier run took (kept as it is).
    const taken = run.result.restoreProof as { backupId: number; checks: Check[] } | undefined;
    checks.push(...(taken?.backupId === backup.id ? taken.checks : await proveBackupRestorable(sql, backup)));
    const aggregators = backedUpOverloads(backup, 'aggregate_1m_to_5m_window');
    checks.push({
      name: 'Aggregator definition saved',
      passed: aggregators.length > 0,
      detail:
        aggregators.length > 0
          ? aggregators.map(describeFunction).join('; ')
          : 'aggregate_1m_to_5m_window not found — rollback could not restore it',
      evidence: aggregators.map(({ definition: _definition, ...facts }) => facts),
    });
    checks.push({
      name: 'Pipeline functions recorded',
      passed: backup.functions.some((f) => f.name === 'calc_dxy_range_derived'),
      detail: backup.functions.length > 0 ? backup.functions.map(describeFunction).join('; ') : 'none found',
      evidence: backup.functions.map(({ definition: _definition, ...facts }) => facts),
    });
    const existingDxy = await readExistingDxyRows(sql);
    checks.push({
      name: 'DXY rows already in data_bars (earlier attempts)',
      kind: 'finding',
      passed: true,
      detail: `${describeExistingDxyRows(existingDxy)}${existingDxy.some((g) => g.notFinalForm > 0) ? ' — phase 2 reports them and its fix normalizes them' : ''}`,
      evidence: existingDxy,
    });
    const holes = await findLegacyHoles(sql, { from: HISTORY_START, to: clock.now() });
    checks.push({
      name: 'Holes in the legacy history',
      kind: 'finding',
      passed: true,
      detail: describeLegacyHoles(holes),
      evidence: holes,
    });
    checks.push({
      name: 'DXY registry row saved',
      passed: backup.registryRow !== null,
      detail: backup.registryRow ? 'saved' : 'DXY is not in core_asset_registry_all',
    });
    // The file dump is optional (pg_dump may be absent or too old), but one that was attempted and failed is a failure.
    checks.push({
      name: 'File dump',
      passed: !backup.dumpNote?.startsWith('pg_dump exited'),
      detail: backup.dumpFile
        ? `${backup.dumpFile} (${backup.dumpNote})`
        : (backup.dumpNote ?? 'not requested (CUTOVER_PG_DUMP_DIR=off)'),
    });
    return { passed: checks.every((c) => c.passed), checks };
  },
});
