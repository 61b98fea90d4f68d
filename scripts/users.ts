/**
 * Break-glass user administration on the database host (docs/operations.md). Admins manage users
 * on the console's Users page; this command only
 *   - creates the first admin while no active admin exists:
 *       npm run users -- add NAME --role admin [--role ROLE]   (password read from standard input)
 *   - and otherwise changes users only with a stated reason, audited as break-glass under the
 *     operating-system user and host that ran it:
 *       npm run users -- add|disable|roles NAME [--role ROLE …] --break-glass "reason"
 * During an active migration run a change does not apply at once: it waits, audited, until a
 * DIFFERENT operating-system user confirms it (lib/auth/break-glass.ts):
 *       npm run users -- confirm ID
 * `npm run users -- list` is always allowed and shows the changes waiting. Exit codes: 0 done,
 * 1 failed, 2 usage, 3 refused, 4 waiting for a second OS user's confirmation.
 */
import { hostname, userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { recordAudit } from '../lib/auth/audit';
import { checkAuditKeyAtStart } from '../lib/auth/audit-key';
import {
  activeMigrationRunId,
  applyBreakGlassChange,
  type BreakGlassChange,
  listPendingBreakGlassChanges,
  recordPendingBreakGlassChange,
} from '../lib/auth/break-glass';
import { confirmBreakGlassChange } from '../lib/auth/break-glass-confirm';
import { hashPassword } from '../lib/auth/password';
import { ROLES, type Role } from '../lib/auth/roles';
import {
  countOtherActiveAdmins,
  isUniqueViolation,
  listUsers,
  lockUserAdministration,
  newUserSchema,
  usernameSchema,
} from '../lib/auth/users';
import type { SqlOrTx } from '../lib/db/connection';
import { migrateConsoleSchema } from '../lib/db/migrate';
import { openScriptDatabase } from '../lib/db/script-database';

const USAGE = `usage:
  npm run users -- list
  npm run users -- add NAME --role admin [--role ROLE]          first admin only (password on standard input)
  npm run users -- add NAME --role ROLE [--role ROLE] --break-glass "reason"
  npm run users -- roles NAME --role ROLE [--role ROLE] --break-glass "reason"
  npm run users -- disable NAME --break-glass "reason"
  npm run users -- confirm ID                                    a change another OS user asked during a migration run
roles: ${ROLES.join(', ')}
Admins manage users on the console's Users page; with an admin present, this command changes
users only with --break-glass and a reason, audited with your OS user and host. During an active
migration run a change waits until a different OS user confirms it.`;

const MUTATING = ['add', 'roles', 'disable'] as const;
type Mutating = (typeof MUTATING)[number];

/** Refused: the caller may retry only with --break-glass (or through the Users page). */
const EXIT_REFUSED = 3;
/** Recorded, waiting for a second OS user's `confirm` (an active migration run). */
const EXIT_PENDING = 4;

class Refused extends Error {}

/** Who ran the command, from the operating system (not $USER, which anyone can set). */
function operatingSystemIdentity(): { osUser: string; host: string } {
  let osUser: string;
  try {
    osUser = userInfo().username;
  } catch {
    // A uid without a passwd entry (some containers): the number is still who it was.
    osUser = `uid:${process.getuid?.() ?? 'unknown'}`;
  }
  return { osUser, host: hostname() };
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password (then Enter): ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    if (process.stdin.isTTY && chunk.toString().includes('\n')) break;
  }
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

function parseCommandLine() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: { role: { type: 'string', multiple: true }, 'break-glass': { type: 'string' } },
    });
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return null;
  }
}

function parseRoles(values: string[] | undefined): Role[] | string {
  const roles = values ?? [];
  const unknown = roles.filter((role) => !ROLES.includes(role as Role));
  if (roles.length === 0 || unknown.length > 0) {
    return `Give one or more --role among ${ROLES.join(', ')}${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}.`;
  }
  return ROLES.filter((role) => roles.includes(role));
}

/**
 * Whether this command may change users now: the first admin while none is active, anything with
 * a break-glass reason, nothing else. Asked once before reading a password and again under the
 * lock, so two first admins created at the same instant cannot both pass.
 */
async function permission(
  sql: SqlOrTx,
  command: Mutating,
  roles: Role[],
  reason: string | undefined,
): Promise<'first-admin' | 'break-glass'> {
  if (reason) return 'break-glass';
  const admins = await countOtherActiveAdmins(sql, null);
  if (admins === 0 && command === 'add' && roles.includes('admin')) return 'first-admin';
  if (admins === 0) {
    throw new Refused(
      'No active admin exists: create the first one with `npm run users -- add NAME --role admin`, then manage users on the console’s Users page.',
    );
  }
  throw new Refused(
    `Users are managed by an admin on the console’s Users page (${admins} active admin${admins === 1 ? '' : 's'}). ` +
      'In an emergency, repeat the command with --break-glass "reason": it is audited with your OS user and host.',
  );
}

async function main(): Promise<number> {
  const parsed = parseCommandLine();
  const [command, name, ...extra] = parsed?.positionals ?? [];
  const isMutating = MUTATING.includes(command as Mutating);
  if (!parsed || extra.length > 0 || !(command === 'list' || ((isMutating || command === 'confirm') && name))) {
    console.error(USAGE);
    return 2;
  }
  const rawReason = parsed.values['break-glass'];
  const reason = rawReason?.trim();
  if (rawReason !== undefined && !reason) {
    console.error('--break-glass needs a reason, e.g. --break-glass "the only admin left the company".');
    return 2;
  }
  if (reason && reason.length > 500) {
    console.error('Keep the --break-glass reason under 500 characters.');
    return 2;
  }
  let roles: Role[] = [];
  if (command === 'add' || command === 'roles') {
    const result = parseRoles(parsed.values.role as string[] | undefined);
    if (typeof result === 'string') {
      console.error(result);
      return 2;
    }
    roles = result;
  }
  if (command === 'confirm') return confirm(name ?? '');
  const username = name ? usernameSchema.safeParse(name) : null;
  if (username && !username.success) {
    console.error(username.error.issues.map((issue) => issue.message).join('; '));
    return 2;
  }

  checkAuditKeyAtStart('users');
  const handle = await openScriptDatabase({ applicationName: 'dxy-cutover-users' });
  try {
    const { database } = handle;
    await migrateConsoleSchema(database);
    if (command === 'list') {
      for (const user of await listUsers(database.db)) {
        console.log(
          `${user.username.padEnd(20)} ${user.roles.join(',').padEnd(30)} ${user.disabledAt ? 'disabled' : 'active'}`,
        );
      }
      for (const change of await listPendingBreakGlassChanges(database.sql)) {
        console.log(
          `waiting: change #${change.id} ${change.command} ${change.username}${change.roles.length ? ` (${change.roles.join(', ')})` : ''}` +
            ` asked by ${change.requestedOsUser}@${change.requestedHost}; another OS user confirms with \`npm run users -- confirm ${change.id}\`` +
            ` before ${change.expiresAt.toISOString()}`,
        );
      }
      return 0;
    }
    const mutating = command as Mutating;
    const target = username?.data as string;
    const identity = operatingSystemIdentity();
    const auditAs = (sql: SqlOrTx, action: string, outcome: 'ok' | 'refused', detail: Record<string, unknown>) =>
      recordAudit(sql, {
        userId: null,
        username: `cli:${identity.osUser}@${identity.host}`,
        action,
        outcome,
        inputs: { command: mutating, username: target, roles },
        detail: { ...identity, ...detail },
      });

    try {
      await permission(database.sql, mutating, roles, reason);
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      await auditAs(database.sql, `users.cli_${mutating}`, 'refused', { reason: error.message });
      console.error(error.message);
      return EXIT_REFUSED;
    }
    // Read and checked before the lock is taken: a person typing a password must not hold it.
    let passwordHash = '';
    if (mutating === 'add') {
      const password = await readStdin();
      passwordHash = await hashPassword(newUserSchema.parse({ username: target, password, roles }).password);
    }

    const outcome = await database.sql.begin(async (tx) => {
      await lockUserAdministration(tx);
      const allowed = await permission(tx, mutating, roles, reason);
      const change: BreakGlassChange = {
        command: mutating,
        username: target,
        roles,
        passwordHash: mutating === 'add' ? passwordHash : null,
        reason: reason ?? 'the first admin (no active admin existed)',
        firstAdmin: allowed === 'first-admin',
      };
      const detail = allowed === 'break-glass' ? { breakGlass: true, reason } : { firstAdmin: true };
      // During a migration run one person at the host must not make the second person an approval needs.
      const migrationRunId = await activeMigrationRunId(tx);
      if (migrationRunId !== null) {
        const pending = await recordPendingBreakGlassChange(tx, { change, migrationRunId, requestedBy: identity });
        await auditAs(tx, 'users.break_glass_pending', 'ok', { ...detail, changeId: pending.id, migrationRunId });
        return {
          allowed,
          pendingId: pending.id,
          message:
            `Migration run #${migrationRunId} is active: change #${pending.id} (${mutating} ${target}) waits for a second person. ` +
            `A different OS user confirms it with \`npm run users -- confirm ${pending.id}\` before ${pending.expiresAt.toISOString()}.`,
        };
      }
      const applied = await applyBreakGlassChange(tx, change, { via: allowed, ...identity });
      const action = allowed === 'first-admin' ? 'users.first_admin' : `users.break_glass_${mutating}`;
      await auditAs(tx, action, 'ok', { ...detail, result: applied.result });
      return { message: applied.message, allowed, pendingId: null };
    });
    console.log(outcome.message);
    if (outcome.allowed === 'break-glass') {
      console.log(`Audited as break-glass by ${identity.osUser} on ${identity.host}: "${reason}".`);
    }
    return outcome.pendingId === null ? 0 : EXIT_PENDING;
  } catch (error) {
    if (error instanceof Refused) {
      // Lost the race for the first admin to another run of this command.
      console.error(error.message);
      return EXIT_REFUSED;
    }
    if (isUniqueViolation(error)) {
      console.error(`A user named "${name}" already exists.`);
      return 1;
    }
    throw error;
  } finally {
    await handle.close();
  }
}

/** Confirms a waiting change as the OS user running this command (never $USER or any other variable). */
async function confirm(rawId: string): Promise<number> {
  const id = Number(rawId);
  if (!Number.isSafeInteger(id) || id <= 0) {
    console.error(`confirm needs a change number (from \`npm run users -- list\`), not "${rawId}".`);
    return 2;
  }
  checkAuditKeyAtStart('users');
  const handle = await openScriptDatabase({ applicationName: 'dxy-cutover-users' });
  try {
    await migrateConsoleSchema(handle.database);
    const result = await confirmBreakGlassChange(handle.database, { id, confirmer: operatingSystemIdentity() });
    if (result.status === 'refused') {
      console.error(result.reason);
      return EXIT_REFUSED;
    }
    console.log(`${result.message} Confirmed by ${operatingSystemIdentity().osUser}.`);
    return 0;
  } finally {
    await handle.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const issues = (error as { issues?: { message: string }[] }).issues;
    console.error(
      issues ? issues.map((issue) => issue.message).join('; ') : error instanceof Error ? error.message : String(error),
    );
    process.exit(1);
  },
);
