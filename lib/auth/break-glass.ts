/**
 * Break-glass user changes (scripts/users.ts; docs/operations.md "Break-glass"). Outside a migration
 * run they apply at once. During an active migration run a change only waits: it is recorded (and
 * audited) as pending, and applies when a DIFFERENT operating-system user confirms it with
 * `npm run users -- confirm ID` — one person at the database host cannot make the second person an
 * approval needs. The OS identities come from the caller: the script reads them from the operating
 * system (os.userInfo(), never $USER); nothing here reads the environment, so no variable can stand
 * in for the second person.
 */
import type { SqlOrTx } from '../db/connection';
import { textArrayLiteral } from '../db/text-array';
import { type AccountActor, setAccountActor } from './account-origin';
import type { Role } from './roles';
import { findUserRow, insertUserRow, revokeUserAccess, whyNameUnavailable } from './users';

export type BreakGlassCommand = 'add' | 'roles' | 'disable';

export interface OsIdentity {
  osUser: string;
  host: string;
}

/** How long a pending change waits for its confirmation: a shift, not a week. */
export const BREAK_GLASS_CONFIRM_TTL_MINUTES = 12 * 60;

export interface BreakGlassChange {
  command: BreakGlassCommand;
  username: string;
  roles: Role[];
  /** For `add`: the hash of the password read from standard input. */
  passwordHash: string | null;
  /** The stated reason, or why none was needed (the first admin). */
  reason: string;
  firstAdmin: boolean;
}

export interface PendingBreakGlassChange extends BreakGlassChange {
  id: number;
  migrationRunId: number;
  requestedOsUser: string;
  requestedHost: string;
  requestedAt: Date;
  expiresAt: Date;
  status: 'pending' | 'confirmed' | 'expired' | 'failed';
}

/** The active migration run, if any: the only time a break-glass change needs a second OS user. */
export async function activeMigrationRunId(sql: SqlOrTx): Promise<number | null> {
  const [row] = await sql<{ id: number }[]>`select id from cutover.migration_runs where status = 'active' limit 1`;
  return row?.id ?? null;
}

/**
 * Applies a change; the caller holds the user-administration lock. Every account change is
 * attributed to `actor` by the trigger on cutover.users (lib/auth/account-origin.ts).
 */
export async function applyBreakGlassChange(
  tx: SqlOrTx,
  change: BreakGlassChange,
  actor: AccountActor,
): Promise<{ result: Record<string, unknown>; message: string }> {
  await setAccountActor(tx, actor);
  if (change.command === 'add') {
    const unavailable = await whyNameUnavailable(tx, change.username, new Date());
    if (unavailable) throw new Error(unavailable);
    const user = await insertUserRow(tx, {
      username: change.username,
      passwordHash: change.passwordHash ?? '',
      roles: change.roles,
      mustChangePassword: false,
    });
    return {
      result: { userId: user.id, roles: user.roles },
      message: `Added ${user.username} (${user.roles.join(', ')}).`,
    };
  }
  const user = await findUserRow(tx, change.username);
  if (!user) throw new Error(`No user named "${change.username}".`);
  if (change.command === 'roles') {
    await tx`update cutover.users set roles = ${textArrayLiteral(change.roles)}::text[] where id = ${user.id}`;
    return {
      result: { before: user.roles, after: change.roles },
      message: `${user.username} now has ${change.roles.join(', ')} (was ${user.roles.join(', ')}).`,
    };
  }
  const now = new Date();
  await tx`update cutover.users set disabled_at = coalesce(disabled_at, ${now}) where id = ${user.id}`;
  const revoked = await revokeUserAccess(tx, { userId: user.id, now });
  return {
    result: { revokedSessions: revoked.sessions, revokedApiTokens: revoked.apiTokens },
    message: `Disabled ${user.username}; revoked ${revoked.sessions} session(s) and ${revoked.apiTokens} API token(s).`,
  };
}

/** Records a change to wait for a second OS user; returns its id. */
export async function recordPendingBreakGlassChange(
  tx: SqlOrTx,
  params: { change: BreakGlassChange; migrationRunId: number; requestedBy: OsIdentity },
): Promise<PendingBreakGlassChange> {
  const { change, requestedBy } = params;
  const [row] = await tx<{ id: number }[]>`
    insert into cutover.break_glass_changes (command, username, roles, password_hash, reason, first_admin,
                                             migration_run_id, requested_os_user, requested_host, expires_at)
    values (${change.command}, ${change.username}, ${textArrayLiteral(change.roles)}::text[], ${change.passwordHash}, ${change.reason},
            ${change.firstAdmin}, ${params.migrationRunId}, ${requestedBy.osUser}, ${requestedBy.host},
            clock_timestamp() + make_interval(mins => ${BREAK_GLASS_CONFIRM_TTL_MINUTES}))
    returning id`;
  const pending = row && (await readBreakGlassChange(tx, { id: row.id }));
  if (!pending) throw new Error('The pending change was not recorded');
  return pending;
}

const COLUMNS = (sql: SqlOrTx) => sql`
  id, command, username, roles, password_hash as "passwordHash", reason, first_admin as "firstAdmin",
  migration_run_id as "migrationRunId", requested_os_user as "requestedOsUser", requested_host as "requestedHost",
  requested_at as "requestedAt", expires_at as "expiresAt", status`;

export async function readBreakGlassChange(
  sql: SqlOrTx,
  params: { id: number; forUpdate?: boolean },
): Promise<PendingBreakGlassChange | null> {
  const [row] = await sql<PendingBreakGlassChange[]>`
    select ${COLUMNS(sql)} from cutover.break_glass_changes where id = ${params.id}
    ${params.forUpdate ? sql`for update` : sql``}`;
  return row ?? null;
}

/** Changes still waiting for their confirmation (not expired), oldest first. */
export async function listPendingBreakGlassChanges(sql: SqlOrTx): Promise<PendingBreakGlassChange[]> {
  return sql<PendingBreakGlassChange[]>`
    select ${COLUMNS(sql)} from cutover.break_glass_changes
     where status = 'pending' and expires_at > clock_timestamp() order by id`;
}

/**
 * Why `confirmer` may not confirm `change` now, or null. The caller holds the user-administration
 * lock and the change's row lock.
 */
export async function whyNotConfirmable(
  tx: SqlOrTx,
  change: PendingBreakGlassChange | null,
  params: { id: number; confirmer: OsIdentity },
): Promise<string | null> {
  if (!change) return `No break-glass change #${params.id}.`;
  if (change.status !== 'pending') return `Break-glass change #${change.id} is already ${change.status}.`;
  const [clock] = await tx<{ now: Date }[]>`select clock_timestamp() as now`;
  if (clock && change.expiresAt.getTime() <= clock.now.getTime())
    return `Break-glass change #${change.id} expired at ${change.expiresAt.toISOString()}: ask for it again.`;
  if (change.requestedOsUser === params.confirmer.osUser) {
    return (
      `Break-glass change #${change.id} was asked by OS user ${change.requestedOsUser}: during migration run ` +
      `#${change.migrationRunId} a different OS user must confirm it (separation of duties).`
    );
  }
  if (change.firstAdmin) {
    const [admins] = await tx<{ n: number }[]>`
      select count(*)::int as n from cutover.users where 'admin' = any(roles) and disabled_at is null`;
    if ((admins?.n ?? 0) > 0)
      return `Break-glass change #${change.id} was a first admin, but an active admin exists now: ask with --break-glass "reason".`;
  }
  return null;
}

/** Marks a confirmed change (after it applied) or a failed one (it could not apply). */
export async function closeBreakGlassChange(
  tx: SqlOrTx,
  params: { id: number; status: 'confirmed' | 'failed'; confirmer: OsIdentity; outcome: string },
): Promise<void> {
  await tx`
    update cutover.break_glass_changes
       set status = ${params.status}, decided_os_user = ${params.confirmer.osUser}, decided_host = ${params.confirmer.host},
           decided_at = clock_timestamp(), outcome = ${params.outcome},
           password_hash = null
     where id = ${params.id}`;
}
