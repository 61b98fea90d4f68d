/**
 * What the database really received from phase runs (docs/phases.md "Statements and stages"): a
 * connection of its own, through which the driver claims and advances runs, records every statement
 * that writes (postgres.js's debug hook sees each text as sent). The driver then checks each finished
 * run: every such statement must be one its preview listed. The simulated workers, the bridge and the
 * monitor go through the ordinary connection and are not recorded.
 */
import postgres from 'postgres';
import type { Database } from '../lib/db/connection';
import { NUMBER_TYPES } from '../lib/db/number-types';
import { statementKey } from '../lib/runbook/engine/statements';

const WRITING = /^\s*(insert|update|delete|merge|create|alter|drop|grant|revoke|lock|truncate|comment|with)\b/i;

/** The object each write in a statement changes: INSERT INTO x, UPDATE x, CREATE FUNCTION x, GRANT … ON FUNCTION x, … */
const TARGET =
  /\b(?:insert\s+into|update|delete\s+from|truncate(?:\s+table)?|lock\s+table|alter\s+(?:table|function)|drop\s+(?:table|function|index)(?:\s+if\s+exists)?|create\s+(?:or\s+replace\s+)?function|create\s+table(?:\s+if\s+not\s+exists)?|create\s+(?:unique\s+)?index(?:\s+concurrently)?(?:\s+if\s+not\s+exists)?\s+\S+\s+on|on\s+function|on\s+table)\s+(?:only\s+)?("?\w+"?\.\s*"?\w+"?)/gi;

/**
 * The pipeline's objects (schema public, but the run log the runner keeps there) and the backup the
 * rollback restores from: what a phase's preview must list. The console's own bookkeeping is not.
 */
const PIPELINE_OR_BACKUP = /^"?(public"?\.\s*"?(?!ops_runlog\b)\w+|cutover"?\.\s*"?(backup_run\w+|soft_deleted_rows))/i;

/** The pipeline's functions that write when called (a SELECT of one writes too). */
const WRITER_CALL =
  /\b(?:public\.)?(?:calc_dxy_range_1m|calc_dxy_range_derived|aggregate_1m_to_5m_window|aggregate_5m_to_1h_window|catchup_aggregation_range|_upsert_derived_bar)\s*\(/i;

/** A statement that changes the pipeline's tables, functions or registry, or the backup. */
export function isPhaseWrite(sent: string): boolean {
  // Words inside string literals ('written by calc_dxy_range_1m (new path)') are data, not calls or targets.
  const text = sent.replace(/'(?:[^']|'')*'/g, "''");
  if (/^\s*select\b/i.test(text)) return WRITER_CALL.test(text);
  if (!WRITING.test(text)) return false;
  // A function body (dollar-quoted) is not run by the CREATE FUNCTION that holds it: only what the statement itself changes counts.
  const statement = text.replace(/\$(\w*)\$[\s\S]*?\$\1\$/g, "''");
  for (const match of statement.matchAll(TARGET)) if (PIPELINE_OR_BACKUP.test(match[1] ?? '')) return true;
  return false;
}

export interface StatementRecorder {
  database: Database;
  /** Attributes what is recorded from now on to this run (null: to none). */
  attribute(runId: number | null): void;
  /** The writing statements recorded for a run, in order, with their keys. */
  writesOf(runId: number): { key: string; text: string }[];
  close(): Promise<void>;
}

export function createStatementRecorder(url: string, db: Database['db']): StatementRecorder {
  let current: number | null = null;
  const byRun = new Map<number, { key: string; text: string }[]>();
  const sql = postgres(url, {
    max: 3,
    onnotice: () => {},
    // The pool's number parsers (lib/db/number-types.ts): the phases read counts and ids uncast.
    types: NUMBER_TYPES,
    connection: { application_name: 'dxy-cutover-test-runs' },
    debug: (_connection, query) => {
      if (current === null || !isPhaseWrite(query)) return;
      const list = byRun.get(current) ?? [];
      list.push({ key: statementKey(query), text: query });
      byRun.set(current, list);
    },
  });
  return {
    database: { sql, db, close: () => sql.end({ timeout: 5 }) },
    attribute(runId) {
      current = runId;
    },
    writesOf(runId) {
      return byRun.get(runId) ?? [];
    },
    close: () => sql.end({ timeout: 5 }),
  };
}
