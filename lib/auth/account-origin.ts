/**
 * Account provenance (docs/architecture.md "Security", separation of duties). A trigger on
 * cutover.users (drizzle/0016_separation_of_duties.sql) writes one cutover.account_changes row for
 * every creation, role change, disabling and enabling, whoever writes it; the writer names itself
 * first with setAccountActor, in the same transaction. A write that names nobody is still recorded
 * (via 'unrecorded', or 'invitation' with the inviting admin when an accepted invitation created it).
 */
import type { SqlOrTx } from '../db/connection';

export type AccountChangeVia = 'console' | 'invitation' | 'break-glass' | 'first-admin' | 'unrecorded';

export type AccountActor =
  | { via: 'console'; userId: number; username: string; sessionId: string }
  | {
      via: 'break-glass' | 'first-admin';
      osUser: string;
      host: string;
      /** The second OS user who confirmed a change asked during an active migration run. */
      confirmedByOsUser?: string;
      breakGlassChangeId?: number;
    };

/** Names the writer of the next changes to cutover.users in this transaction (transaction-local). */
export async function setAccountActor(tx: SqlOrTx, actor: AccountActor): Promise<void> {
  const value =
    actor.via === 'console'
      ? // A session id is a token's hash: its first characters tell sessions apart without being one.
        { via: actor.via, userId: actor.userId, username: actor.username, sessionId: actor.sessionId.slice(0, 16) }
      : { ...actor, username: `cli:${actor.osUser}@${actor.host}` };
  await tx`select set_config('cutover.account_actor', ${JSON.stringify(value)}, true)`;
}

/** One change as an approval shows it: who, how, when (ISO, so that it survives as JSON unchanged). */
export interface AccountChangeSummary {
  change: 'created' | 'roles' | 'disabled' | 'enabled';
  /** The admin's username, `cli:OSUSER@HOST` for break-glass, or null when unrecorded. */
  by: string | null;
  via: AccountChangeVia;
  at: string;
  roles: string[];
  confirmedByOsUser: string | null;
}

/** Who created an account and when, and the latest change that gave it powers since (roles or enabling). */
export interface AccountOrigin {
  username: string;
  created: AccountChangeSummary | null;
  lastChange: AccountChangeSummary | null;
}

interface ChangeRow {
  change: AccountChangeSummary['change'];
  by: string | null;
  via: AccountChangeVia;
  at: Date;
  roles: string[];
  confirmedByOsUser: string | null;
}

const summary = (row: ChangeRow | undefined): AccountChangeSummary | null =>
  row ? { ...row, at: row.at.toISOString() } : null;

export async function readAccountOrigin(sql: SqlOrTx, username: string): Promise<AccountOrigin | null> {
  const [user] = await sql<{ id: number }[]>`select id from cutover.users where username = ${username}`;
  if (!user) return null;
  const select = (changes: string[]) => sql<ChangeRow[]>`
    select change, changed_by as by, via, at, roles_after as roles, confirmed_by_os_user as "confirmedByOsUser"
      from cutover.account_changes
     where user_id = ${user.id} and change in ${sql(changes)}
     order by at desc, id desc limit 1`;
  const [created] = await select(['created']);
  const [last] = await select(['roles', 'enabled']);
  return { username, created: summary(created), lastChange: summary(last) };
}

/** "created by ana (console) at …; roles changed by …" — the one-line form the UI and the CLI print. */
export function describeAccountOrigin(origin: AccountOrigin | null | undefined): string {
  if (!origin) return 'account origin not recorded';
  const one = (c: AccountChangeSummary, verb: string) => {
    const at = `${c.at.replace('T', ' ').slice(0, 19)} UTC`;
    if (!c.by) return `${verb} at ${at} (by whom not recorded)`;
    return `${verb} by ${c.by} (${c.via}${c.confirmedByOsUser ? `, confirmed by ${c.confirmedByOsUser}` : ''}) at ${at}`;
  };
  const parts = [origin.created ? one(origin.created, 'created') : 'creation not recorded'];
  if (origin.lastChange)
    parts.push(one(origin.lastChange, origin.lastChange.change === 'enabled' ? 'enabled' : 'roles changed'));
  return `${origin.username}: ${parts.join('; ')}`;
}
