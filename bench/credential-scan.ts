/**
 * The credential scan (issue 5): the database password and connection URL, and the metrics token,
 * must appear in no page, no API response, no log line of the console or the runner, and no
 * audit or run-log detail. Every page and route is fetched as every role. The scan first proves
 * it would notice: a text that holds the secret must be reported.
 */
import { API_PATHS, PAGE_PATHS, SIGNED_IN_ROLES } from './route-access';
import type { ScratchConsole } from './scratch-console';

export interface ScanReport {
  documents: number;
  leaks: string[];
}

function needlesOf(secrets: readonly string[]): string[] {
  return [...new Set(secrets.flatMap((s) => [s, encodeURIComponent(s)]).filter((s) => s.length >= 8))];
}

export function findSecrets(where: string, text: string, secrets: readonly string[]): string[] {
  return needlesOf(secrets)
    .filter((needle) => text.includes(needle))
    .map((needle) => `${where} contains ${needle.slice(0, 3)}… (${needle.length} characters)`);
}

export async function scanForCredentials(target: ScratchConsole, secrets: readonly string[]): Promise<ScanReport> {
  if (findSecrets('self-test', `postgres://x:${secrets[0]}@h/db`, secrets).length === 0) {
    throw new Error('the credential scan does not find a planted secret; it would prove nothing');
  }
  const leaks: string[] = [];
  let documents = 0;
  const check = (where: string, text: string) => {
    documents += 1;
    leaks.push(...findSecrets(where, text, secrets));
  };
  const paths = ['/login', '/api/health', ...PAGE_PATHS, ...API_PATHS];
  for (const role of SIGNED_IN_ROLES) {
    const { cookie } = await target.signIn(role);
    for (const path of paths) {
      const response = await fetch(`${target.baseUrl}${path}`, { headers: { cookie }, redirect: 'manual' });
      check(
        `${path} as ${role} (HTTP ${response.status})`,
        `${JSON.stringify([...response.headers])}\n${await response.text()}`,
      );
    }
  }
  const { sql } = target.database;
  const tables: { name: string; query: Promise<{ text: string | null }[]> }[] = [
    { name: 'cutover.audit_events', query: sql`select row_to_json(a)::text as text from cutover.audit_events a` },
    { name: 'cutover.phase_runs', query: sql`select row_to_json(r)::text as text from cutover.phase_runs r` },
    {
      name: 'cutover.phase_run_events',
      query: sql`select row_to_json(e)::text as text from cutover.phase_run_events e`,
    },
    { name: 'public.ops_runlog', query: sql`select row_to_json(o)::text as text from public.ops_runlog o` },
  ];
  for (const table of tables) check(table.name, (await table.query).map((r) => r.text ?? '').join('\n'));
  check('console and runner output', target.output());
  return { documents, leaks };
}
