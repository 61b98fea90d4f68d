/**
 * The statements a phase writes with (docs/phases.md "Statements and stages"). A phase builds each
 * of its writing statements once, with a builder that returns the exact text and its parameters;
 * the preview lists those texts (an approval is bound to the list), the runner executes only
 * texts that are in the run's preview, and validate runs the same texts in rolled-back
 * transactions. Values decided while running (a batch's range, the clock) are bound as $1…$n,
 * so the text the approver read is byte for byte the text the database receives.
 */
import { createHash } from 'node:crypto';
import type { TransactionSql } from 'postgres';
import type { SqlOrTx } from '../../db/connection';
import { inRolledBackTransaction, retryOnConcurrentCatalogUpdate } from './rolled-back';

/** One statement as the preview shows it: its stage, its exact text, what each $n is. */
export interface PlannedStatement {
  /** The id of the phase's stage that runs it (one the phase declares). */
  stage: string;
  /** That stage's title, filled in from the phase's declaration. */
  stageTitle?: string;
  /** Exactly what is sent to the database. */
  text: string;
  /** What each $n is, in order: a value known now, or what decides it while running. */
  parameters: readonly string[];
}

/** One statement as the runner executes it: the planned text with the values of this moment. */
export interface BoundStatement {
  text: string;
  params: readonly StatementValue[];
}

export type StatementValue = string | number | boolean | null | Date | readonly string[] | readonly Date[];

export function planned(stage: string, text: string, parameters: readonly string[] = []): PlannedStatement {
  return { stage, text: text.trim(), parameters };
}

export function bound(text: string, params: readonly StatementValue[] = []): BoundStatement {
  return { text: text.trim(), params };
}

/** The identity of a statement text (whitespace at the ends ignored), for logs and bindings. */
export function statementKey(text: string): string {
  return createHash('sha256').update(text.trim()).digest('hex').slice(0, 16);
}

/** Runs a bound statement as it is, returning the rows and the row count. */
export async function runBound<T extends object = Record<string, unknown>>(
  sql: SqlOrTx,
  statement: BoundStatement,
): Promise<{ rows: T[]; count: number }> {
  // postgres.js types its parameters loosely; the values here are the driver's own scalar and array types.
  const result = await sql.unsafe(statement.text, statement.params as never[]);
  return { rows: [...result] as unknown as T[], count: result.count };
}

/** Executes a bound statement: runBound, or a run's ctx.exec (which admits only previewed texts). */
export type StatementExecutor = (sql: SqlOrTx, statement: BoundStatement) => Promise<{ count: number; rows: object[] }>;

/** The refusal of a text that is not among the previewed ones, naming what was about to run. */
export class UnpreviewedStatement extends Error {
  constructor(text: string) {
    super(
      'Refused to run a statement that is not in this run’s preview (the database or the settings changed since the ' +
        `preview was shown; look at the phase page again and start it anew): ${text.slice(0, 160).replace(/\s+/g, ' ')}…`,
    );
  }
}

/** Runs one statement text in a transaction: a run's ctx.exec, or a rehearsal's recorder. */
export type TextRunner = (tx: TransactionSql, text: string) => Promise<unknown>;

/**
 * The statements `work` would execute against the database as it is now, found by running it in a
 * transaction (a savepoint inside one) that is always rolled back, recording each text as it runs.
 * For writes that depend on what they find (the grants default privileges gave a new function, the
 * overloads a restore must drop), the preview is this rehearsal and the run executes the same work.
 */
export async function rehearseStatements(
  sql: SqlOrTx,
  work: (tx: TransactionSql, run: TextRunner) => Promise<unknown>,
): Promise<string[]> {
  return retryOnConcurrentCatalogUpdate(async () => {
    const texts: string[] = [];
    await inRolledBackTransaction(sql, (tx) =>
      work(tx, async (t, text) => {
        texts.push(text.trim());
        return t.unsafe(text);
      }),
    );
    return texts;
  });
}
