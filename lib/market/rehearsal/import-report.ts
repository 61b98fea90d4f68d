/**
 * What an import did, as it is stored with the world (`cutover.rehearsal_world.import_report`) and shown on the
 * overview and by the CLI: rows read and kept, statements skipped and why, roles created, objects created.
 */
import type { SqlOrTx } from '../../db/connection';
import { readRehearsalWorld } from '../../db/tables/rehearsal-world';
import type { DumpFormat } from './dump-reader';
import type { ImportedObject } from './imported-objects';

export interface ImportIssue {
  /** The dump's own name for the object ("POLICY data_bars read_own"), or the statement's start. */
  object: string;
  statement: string;
  error: string;
  code: string | null;
}

export interface ImportReport {
  file: string;
  format: DumpFormat;
  dumpedFrom: string | null;
  dumpedBy: string | null;
  importedAt: string;
  durationMs: number;
  /** `--days`, or null for all data. */
  days: number | null;
  /** With `--days`: rows before this time were left out. */
  cutoff: string | null;
  rows: Record<string, { read: number; kept: number }>;
  statements: { executed: number; skipped: number };
  /** Roles the dump referred to that did not exist here: created NOLOGIN. */
  createdRoles: string[];
  /** What did not import (and why): reported, never silently dropped. */
  skipped: ImportIssue[];
  /** psql meta-commands of the dump that were not executed (`\restrict` keys are expected and not listed). */
  metaCommands: string[];
  newestComponentMinute: string;
  /** Everything the import created, so that the next import or reset drops exactly that. */
  objects: ImportedObject[];
}

/** The report of the current world when it was imported (for the overview and the CLI), else null. */
export async function readImportReport(sql: SqlOrTx): Promise<ImportReport | null> {
  const world = await readRehearsalWorld(sql);
  // The column holds what importDump stored: an ImportReport.
  return (world?.importReport ?? null) as ImportReport | null;
}
