/**
 * Separation of duties (docs/architecture.md "Security"): the two-person rule is two accounts, and
 * one admin can make accounts. So an approver cannot decide a request when, within the request's
 * migration run (since cutover.migration_runs.started_at), one of the two accounts was created,
 * given roles or re-enabled by the other — directly, or through accounts that one made in turn
 * (admin A makes admin B, B makes approver C: C cannot approve A). Any session or API token of a
 * user is that user: cutover.account_changes records the user behind it.
 */
import type { SqlOrTx } from '../db/connection';

interface Made {
  /** Usernames from the maker to the made account. */
  path: string[];
  change: string;
  at: Date;
}

/** The chain of changes within the run by which `maker` made or re-roled `made`, or null. */
async function madeWithinRun(
  sql: SqlOrTx,
  params: { maker: string; made: string; migrationRunId: number },
): Promise<Made | null> {
  const [row] = await sql<{ path: string[]; change: string; at: Date }[]>`
    with recursive since as (
      select started_at from cutover.migration_runs where id = ${params.migrationRunId}
    ), changes as (
      select c.user_id, c.changed_by_user_id, c.change, c.at
        from cutover.account_changes c, since
       where c.at >= since.started_at and c.changed_by_user_id is not null
         and c.change in ('created', 'roles', 'enabled')
    ), made(id, path, change, at) as (
      select u.id, array[u.id], null::text, null::timestamptz from cutover.users u where u.username = ${params.maker}
      union all
      select c.user_id, m.path || c.user_id, c.change, c.at
        from changes c join made m on c.changed_by_user_id = m.id
       where not c.user_id = any(m.path)
    )
    select array(select u.username from unnest(m.path) with ordinality p(id, n)
                   join cutover.users u on u.id = p.id order by p.n) as path,
           m.change, m.at
      from made m join cutover.users target on target.id = m.id
     where target.username = ${params.made} and m.change is not null
     order by m.at desc limit 1`;
  return row ?? null;
}

const VERBS: Record<string, string> = { created: 'created', roles: 'given its roles', enabled: 're-enabled' };

/**
 * Why `approver` may not decide `requester`'s request in this migration run, naming the rule, or
 * null when the two accounts are independent within the run.
 */
export async function separationOfDutiesProblem(
  sql: SqlOrTx,
  params: { requester: string; approver: string; migrationRunId: number },
): Promise<string | null> {
  const { requester, approver, migrationRunId } = params;
  const sentence = (made: Made, madeAccount: string) => {
    const via = made.path.length > 2 ? ` (through ${made.path.slice(1, -1).join(', ')})` : '';
    return `${madeAccount} was ${VERBS[made.change] ?? made.change} by ${made.path[0]}${via} at ${made.at.toISOString()}`;
  };
  const byRequester = await madeWithinRun(sql, { maker: requester, made: approver, migrationRunId });
  const byApprover = byRequester
    ? null
    : await madeWithinRun(sql, { maker: approver, made: requester, migrationRunId });
  const found = byRequester ? sentence(byRequester, approver) : byApprover ? sentence(byApprover, requester) : null;
  if (!found) return null;
  return (
    `Separation of duties: ${found}, during migration run #${migrationRunId}. ` +
    'An account made or re-roled within the run by the other party cannot decide that party’s request; another approver must.'
  );
}
