/** Direct database access for assertions: the e2e console publishes its URL in .data-e2e/. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres, { type Sql } from 'postgres';

let client: Sql | undefined;

export function e2eDatabase(): Sql {
  if (!client) {
    const { url } = JSON.parse(readFileSync(join('.data-e2e', 'connection.json'), 'utf8')) as { url: string };
    client = postgres(url, { max: 2, onnotice: () => {} });
  }
  return client;
}

export async function latestAudit(params: { action: string; username: string }) {
  const [row] = await e2eDatabase()<{ outcome: string; detail: Record<string, unknown> }[]>`
    select outcome, detail from cutover.audit_events
     where action = ${params.action} and username = ${params.username}
     order by id desc limit 1`;
  return row ?? null;
}
