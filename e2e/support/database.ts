/** Direct database access for assertions: the database of the world the running spec uses (fixtures.ts). */
import type { Sql } from 'postgres';

let current: Sql | undefined;

/** Called by the world fixture: from now on e2eDatabase() is this world's (a worker runs one spec at a time). */
export function setWorldDatabase(sql: Sql | undefined): void {
  current = sql;
}

export function e2eDatabase(): Sql {
  if (!current) throw new Error('No e2e world: import test from e2e/support/fixtures, not @playwright/test.');
  return current;
}

export async function latestAudit(params: { action: string; username: string }) {
  const [row] = await e2eDatabase()<{ outcome: string; detail: Record<string, unknown> }[]>`
    select outcome, detail from cutover.audit_events
     where action = ${params.action} and username = ${params.username}
     order by id desc limit 1`;
  return row ?? null;
}
