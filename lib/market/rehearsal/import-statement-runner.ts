/**
 * The import's way of running one statement of a dump: in a savepoint of the import's transaction, creating a
 * role it names that does not exist (NOLOGIN) and trying again; a failure is reported and skipped, or, for a
 * statement the pipeline cannot do without, fails the whole import.
 */
import type { TransactionSql } from 'postgres';
import type { DumpEntry } from './dump-reader';
import { describeEntry, excerpt, ident, isCriticalStatement } from './dump-statements';
import { ImportFailed } from './import-errors';
import type { ImportIssue, ImportReport } from './import-report';

interface PgError {
  message: string;
  code?: string;
}

function asPgError(error: unknown): PgError {
  if (error && typeof error === 'object' && 'message' in error) {
    const e = error as { message: string; code?: unknown };
    return { message: e.message, code: typeof e.code === 'string' ? e.code : undefined };
  }
  return { message: String(error) };
}

export interface StatementRunner {
  /** Runs one statement in a savepoint; true when it ran, false when it failed and was reported and skipped. */
  run: (entry: DumpEntry | null, statement: string, body: (sp: TransactionSql) => Promise<unknown>) => Promise<boolean>;
}

/** Counts, skips and created roles go into `report` as the statements run. */
export function createStatementRunner(
  tx: TransactionSql,
  report: ImportReport,
  log: (line: string) => void,
): StatementRunner {
  const skip = (entry: DumpEntry | null, statement: string, error: PgError) => {
    const issue: ImportIssue = {
      object: describeEntry(entry, statement),
      statement: excerpt(statement),
      error: error.message,
      code: error.code ?? null,
    };
    report.skipped.push(issue);
    report.statements.skipped += 1;
    log(`  skipped ${issue.object}: ${issue.error}`);
  };

  /** Runs one statement in a savepoint, creating missing roles it names; reports or rethrows a failure. */
  const run = async (
    entry: DumpEntry | null,
    statement: string,
    body: (sp: TransactionSql) => Promise<unknown>,
  ): Promise<boolean> => {
    const critical = isCriticalStatement(statement);
    for (let attempt = 0; ; attempt++) {
      try {
        await tx.savepoint(body);
        report.statements.executed += 1;
        return true;
      } catch (error) {
        const pgError = asPgError(error);
        const role = /^role "(.+)" does not exist$/.exec(pgError.message)?.[1];
        if (role && attempt < 20 && !report.createdRoles.includes(role) && (await createRole(role))) continue;
        if (critical) {
          // Missing schema, function or type: production keeps it outside schema public.
          const outside = ['3F000', '42883', '42704'].includes(pgError.code ?? '')
            ? '\n  It refers to something outside schema public (Supabase keeps extensions in schema "extensions"): ' +
              'create it in this database first (e.g. CREATE SCHEMA extensions; CREATE EXTENSION … WITH SCHEMA extensions), ' +
              'or take the dump with that schema too (--schema=public --schema=extensions), and import again.'
            : '';
          throw new ImportFailed(
            `${describeEntry(entry, statement)} failed to import, so nothing was imported: ${pgError.message}` +
              `\n  statement: ${excerpt(statement)}${outside}`,
          );
        }
        skip(entry, statement, pgError);
        return false;
      }
    }
  };

  const createRole = async (role: string): Promise<boolean> => {
    try {
      await tx.savepoint((sp) => sp.unsafe(`CREATE ROLE ${ident(role)} NOLOGIN`));
      report.createdRoles.push(role);
      log(`  created role ${role} (NOLOGIN): the dump refers to it`);
      return true;
    } catch (error) {
      skip(null, `CREATE ROLE ${ident(role)} NOLOGIN`, asPgError(error));
      return false;
    }
  };

  return { run };
}
