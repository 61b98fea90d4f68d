/**
 * `npm run rehearsal:import -- FILE [--days N]`: builds the rehearsal world from a `pg_dump` of
 * production's pipeline (the dump phase 1 writes, or one taken with the README's command), so a
 * team rehearses on production's own functions, constraints, indexes, triggers and grants rather
 * than on the console's model of them (docs: README, "Rehearsing on a production dump").
 *
 * - Only in a database that is empty of pipeline tables or holds a world the console created
 *   (the same guard as rehearsal:reset); the previous world is dropped first.
 * - One transaction: every statement runs in a savepoint. A statement that fails is reported
 *   (printed and stored in `cutover.rehearsal_world.import_report`) and skipped — an extension
 *   that is not available, a policy calling `auth.uid()`, a trigger calling a missing schema — but
 *   when a pipeline table, its data, its keys and indexes, or a pipeline function fails, the
 *   whole import rolls back and nothing has changed.
 * - Roles the dump refers to (owners, grantees) that do not exist are created NOLOGIN, and listed.
 * - `--days N` keeps only the last N days (to the hour) of `data_bars`, `derived_data_bars` and
 *   `ops_runlog`, counted back from the newest bar: COPY data goes to a temporary table first.
 * - Then the world is recorded as a rehearsal world: workers in mode `legacy` at the minute after
 *   the newest component bar, the clock anchored there, so the simulated workers continue from
 *   production's last data through production's own functions.
 */
import { existsSync } from 'node:fs';
import type { Database } from '../../db/connection';
import { deleteRehearsalClock, writeRehearsalClock } from '../../db/tables/rehearsal-clock';
import { deleteRehearsalWorkers, insertRehearsalWorkers } from '../../db/tables/rehearsal-workers';
import {
  deleteRehearsalWorld,
  insertRehearsalWorld,
  setRehearsalWorldImportReport,
} from '../../db/tables/rehearsal-world';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../time-units';
import { openDump } from './dump-reader';
import { ident, localizeSettings, parseCopyTarget, TIME_FILTERED } from './dump-statements';
import { catalogObjects, identifyObjects } from './import-catalog';
import { checkImportedPipeline } from './import-checks';
import { copyRows } from './import-copy-rows';
import { ImportRefused } from './import-errors';
import type { ImportReport } from './import-report';
import { createStatementRunner } from './import-statement-runner';
import { dropImportedObjects } from './imported-objects';
import { inspectWorldOwnership } from './reset-world';
import { DROP_PIPELINE_SQL } from './schema-sql';
import { WORKERS_LOCK_KEY } from './simulated-workers';

export interface ImportOptions {
  file: string;
  days?: number | null;
  speed?: number;
  log?: (line: string) => void;
}

interface StagedTable {
  table: string;
  columns: string;
  timeColumn: string;
  read: number;
}

export async function importDump(database: Database, options: ImportOptions): Promise<ImportReport> {
  const log = options.log ?? (() => {});
  const days = options.days ?? null;
  if (days !== null && (!Number.isInteger(days) || days < 1)) {
    throw new ImportRefused(`--days must be a whole number of days ≥ 1 (got ${days})`);
  }
  if (!existsSync(options.file)) throw new ImportRefused(`No such file: ${options.file}`);
  const started = performance.now();
  const ownership = await inspectWorldOwnership(database);
  if (ownership === 'foreign') {
    throw new ImportRefused(
      'Refused: this database holds pipeline tables that the console did not create (not a rehearsal world). ' +
        'rehearsal:import only runs in an empty database or in a rehearsal world.',
    );
  }
  const source = openDump(options.file);
  const report: ImportReport = {
    file: options.file,
    format: source.format,
    dumpedFrom: null,
    dumpedBy: null,
    importedAt: new Date().toISOString(),
    durationMs: 0,
    days,
    cutoff: null,
    rows: {},
    statements: { executed: 0, skipped: 0 },
    createdRoles: [],
    skipped: [],
    metaCommands: [],
    newestComponentMinute: '',
    objects: [],
  };
  log(`Reading ${options.file} (${source.format === 'custom' ? 'custom format, through pg_restore' : 'plain SQL'})…`);
  try {
    await database.sql.begin(async (tx) => {
      // Keep the simulated workers of a running console out while the world is replaced.
      await tx`select pg_advisory_xact_lock(${WORKERS_LOCK_KEY})`;
      if (ownership === 'rehearsal') {
        log('Dropping the current rehearsal world…');
        await dropImportedObjects(tx);
        await tx.unsafe(DROP_PIPELINE_SQL);
        await deleteRehearsalWorkers(tx);
        await deleteRehearsalClock(tx);
        await deleteRehearsalWorld(tx);
      }
      const before = await catalogObjects(tx);
      const staged = new Map<string, StagedTable>();
      let flushed = false;

      const { run } = createStatementRunner(tx, report, log);

      /** `--days`: moves the last N days of the staged rows into their tables, before keys and triggers exist. */
      const flushStaged = async () => {
        if (flushed || staged.size === 0) return;
        flushed = true;
        const bars = staged.get('data_bars');
        let cutoff: Date | null = null;
        if (bars && days !== null) {
          const [row] = await tx<{ newest: Date | null }[]>`
            select max(${tx(bars.timeColumn)}) as newest from pg_temp.import_stage_data_bars`;
          if (row?.newest) {
            const from = row.newest.getTime() + MINUTE_MS - days * DAY_MS;
            cutoff = new Date(Math.ceil(from / HOUR_MS) * HOUR_MS);
            report.cutoff = cutoff.toISOString();
            log(`  keeping rows from ${report.cutoff} (the last ${days} day${days === 1 ? '' : 's'} to the hour)`);
          }
        }
        for (const stage of staged.values()) {
          const stageTable = `pg_temp.${ident(`import_stage_${stage.table}`)}`;
          const filter = cutoff ? `where ${ident(stage.timeColumn)} >= $1` : '';
          const columns = stage.columns ? `(${stage.columns})` : '';
          const select = stage.columns ? stage.columns : '*';
          const statement = `INSERT INTO public.${ident(stage.table)} ${columns} SELECT ${select} FROM ${stageTable} ${filter}`;
          let kept = 0;
          await run(null, `COPY public.${stage.table} (--days)`, async (sp) => {
            const result = await sp.unsafe(statement, cutoff ? [cutoff] : []);
            kept = result.count;
          });
          await tx.unsafe(`DROP TABLE ${stageTable}`);
          report.rows[stage.table] = { read: stage.read, kept };
        }
      };

      for await (const item of source.items) {
        if (item.kind === 'meta') {
          if (!/^\\(?:un)?restrict\s/.test(item.line)) {
            report.metaCommands.push(item.line);
            log(`  not executed (psql meta-command): ${item.line}`);
          }
          continue;
        }
        if (item.kind === 'statement') {
          const statement = localizeSettings(item.sql);
          if (!/^(?:SET\s|SELECT\s+pg_catalog\.set(?:val|_config)\s*\()/i.test(statement)) await flushStaged();
          await run(item.entry, statement, (sp) => sp.unsafe(statement));
          continue;
        }
        const target = parseCopyTarget(item.sql);
        const timeColumn = target.publicTable ? TIME_FILTERED[target.publicTable] : undefined;
        const stage =
          days !== null && !flushed && target.publicTable && timeColumn
            ? { table: target.publicTable, columns: target.columns ?? '', timeColumn, read: 0 }
            : null;
        let copySql = item.sql;
        if (stage) {
          const stageTable = `pg_temp.${ident(`import_stage_${stage.table}`)}`;
          await tx.unsafe(
            `CREATE TEMP TABLE ${ident(`import_stage_${stage.table}`)} (LIKE public.${ident(stage.table)})`,
          );
          copySql = `COPY ${stageTable} ${stage.columns ? `(${stage.columns})` : ''} FROM stdin;`;
        }
        let read = 0;
        const ok = await run(item.entry, item.sql, async (sp) => {
          read = await copyRows(sp, copySql, item.rows);
        });
        if (stage && ok) {
          stage.read = read;
          staged.set(stage.table, stage);
        } else if (target.publicTable && ok) {
          report.rows[target.publicTable] = { read, kept: read };
        }
      }
      await flushStaged();
      const versions = source.versions();
      report.dumpedFrom = versions.dumpedFrom;
      report.dumpedBy = versions.dumpedBy;

      const newest = await checkImportedPipeline(tx);
      const historyTo = new Date(newest.minute.getTime() + MINUTE_MS);
      report.newestComponentMinute = newest.minute.toISOString();
      const after = await catalogObjects(tx);
      report.objects = await identifyObjects(
        tx,
        [...after].filter((key) => !before.has(key)),
      );
      report.durationMs = Math.round(performance.now() - started);
      const worldDays = days ?? Math.max(1, Math.ceil((historyTo.getTime() - newest.first.getTime()) / DAY_MS));
      const wall = new Date();
      await insertRehearsalWorld(tx, {
        schemaVariant: 'production',
        days: worldDays,
        historyFrom: newest.first,
        historyTo,
        importReport: report,
      });
      await insertRehearsalWorkers(tx, { mode: 'legacy', paused: false, nextMinute: historyTo });
      // As anchorRehearsalClock writes it, but inside this transaction: the world and its clock commit together.
      await writeRehearsalClock(tx, {
        anchorWall: wall,
        anchorSim: historyTo,
        speed: options.speed ?? 1,
        heartbeatWall: wall,
        heartbeatSim: historyTo,
        effectiveSpeed: null,
      });
    });
  } finally {
    await source.close();
  }
  await database.sql`analyze public.data_bars`;
  await database.sql`analyze public.derived_data_bars`;
  report.durationMs = Math.round(performance.now() - started);
  await setRehearsalWorldImportReport(database.sql, report);
  return report;
}
