/**
 * Separation of duties (docs/operations.md "Break-glass and separation of duties"): the two-person
 * rule is two accounts, and one admin can make accounts. So an approver cannot decide a request
 * when, within the request's migration run (since cutover.migration_runs.started_at), the two
 * accounts share a maker: each account's makers are itself and whoever created it, gave it roles
 * or re-enabled it within the run, and their makers in turn. That covers one account made by the
 * other (directly, or admin A makes admin B, B makes approver C: C cannot approve A) and siblings
 * (admin A makes operator O and approver P: O and P are both A). A break-glass change counts its
 * requesting OS user as the maker: that user typed the new account's password. Any session or API
 * token of a user is that user: cutover.account_changes records the user behind it.
 */
import type { SqlOrTx } from '../db/connection';

/** One account change within the run that made or re-roled an account. */
interface MakingChange {
  made: string;
  /** A console user ("user:ID") or a break-glass OS user ("os:cli:OSUSER@HOST"). */
  makerKey: string;
  maker: string;
  change: string;
  at: Date;
}

/** How one account came from one of its makers: the changes from the maker down to the account. */
type Lineage = MakingChange[];

/** The changes within the run that give an account powers, from someone recorded. */
async function makingChangesWithinRun(sql: SqlOrTx, migrationRunId: number): Promise<MakingChange[]> {
  return sql<MakingChange[]>`
    select made.username as made,
           case when c.changed_by_user_id is not null then 'user:' || c.changed_by_user_id
                else 'os:' || c.changed_by end as "makerKey",
           coalesce(maker.username, c.changed_by) as maker, c.change, c.at
      from cutover.account_changes c
      join cutover.migration_runs r on r.id = ${migrationRunId}
      join cutover.users made on made.id = c.user_id
      left join cutover.users maker on maker.id = c.changed_by_user_id
     where c.at >= r.started_at
       and c.change in ('created', 'roles', 'enabled')
       and (c.changed_by_user_id is not null
            or (c.via in ('break-glass', 'first-admin') and c.changed_by is not null))
     order by c.at desc, c.id desc`;
}

/**
 * Every maker of `account` within the run (itself included, with an empty lineage), each with the
 * shortest chain of changes that made it: a breadth-first walk up the changes, newest change per
 * step. Linear in the run's changes, however they are wired.
 */
function makersOf(account: { key: string; username: string }, changes: MakingChange[]): Map<string, Lineage> {
  const byMade = new Map<string, MakingChange[]>();
  for (const change of changes) byMade.set(change.made, [...(byMade.get(change.made) ?? []), change]);
  const makers = new Map<string, Lineage>([[account.key, []]]);
  let frontier: { name: string; lineage: Lineage }[] = [{ name: account.username, lineage: [] }];
  while (frontier.length > 0) {
    const next: typeof frontier = [];
    for (const { name, lineage } of frontier) {
      // Newest first (the query's order): the change that last gave this account its powers.
      for (const change of byMade.get(name) ?? []) {
        if (makers.has(change.makerKey)) continue;
        const longer = [change, ...lineage];
        makers.set(change.makerKey, longer);
        // Only console users make accounts in turn; an OS user has no account to be made.
        if (change.makerKey.startsWith('user:')) next.push({ name: change.maker, lineage: longer });
      }
    }
    frontier = next;
  }
  return makers;
}

const VERBS: Record<string, string> = { created: 'created', roles: 'given its roles', enabled: 're-enabled' };

/** "carl was created by ada (through ada-b) at …": the last change of a lineage, and who made it from where. */
function sentence(lineage: Lineage): string {
  const first = lineage[0];
  const last = lineage[lineage.length - 1];
  if (!first || !last) return '';
  const through = lineage.slice(1).map((c) => c.maker);
  const via = through.length > 0 ? ` (through ${through.join(', ')})` : '';
  return `${last.made} was ${VERBS[last.change] ?? last.change} by ${first.maker}${via} at ${last.at.toISOString()}`;
}

/**
 * Why `approver` may not decide `requester`'s request in this migration run, naming the rule, or
 * null when the two accounts have no maker in common within the run.
 */
export async function separationOfDutiesProblem(
  sql: SqlOrTx,
  params: { requester: string; approver: string; migrationRunId: number },
): Promise<string | null> {
  const { requester, approver, migrationRunId } = params;
  const ids = await sql<{ id: number; username: string }[]>`
    select id, username from cutover.users where username in ${sql([requester, approver])}`;
  const keyOf = (username: string) => `user:${ids.find((u) => u.username === username)?.id ?? `unknown:${username}`}`;
  const changes = await makingChangesWithinRun(sql, migrationRunId);
  const requesterKey = keyOf(requester);
  const approverKey = keyOf(approver);
  const ofRequester = makersOf({ key: requesterKey, username: requester }, changes);
  const ofApprover = makersOf({ key: approverKey, username: approver }, changes);

  let found: string | null = null;
  const direct = ofApprover.get(requesterKey) ?? null;
  const reverse = direct ? null : (ofRequester.get(approverKey) ?? null);
  if (direct?.length) found = sentence(direct);
  else if (reverse?.length) found = sentence(reverse);
  else {
    // Siblings (or cousins): the common maker with the shortest pair of lineages.
    let best: { maker: string; a: Lineage; b: Lineage } | null = null;
    for (const [key, a] of ofRequester) {
      const b = ofApprover.get(key);
      if (!b || a.length === 0 || b.length === 0) continue;
      if (!best || a.length + b.length < best.a.length + best.b.length) best = { maker: a[0]?.maker ?? key, a, b };
    }
    if (best) {
      found = `${requester} and ${approver} were both made by ${best.maker}: ${sentence(best.a)}; ${sentence(best.b)}`;
    }
  }
  if (!found) return null;
  return (
    `Separation of duties: ${found}, during migration run #${migrationRunId}. ` +
    'Accounts made or re-roled within the run by the same person, or one by the other, are one person: another approver must.'
  );
}
