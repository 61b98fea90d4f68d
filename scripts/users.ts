/**
 * `npm run users -- add NAME --role ROLE [--role ROLE]` (password on standard input),
 * `npm run users -- list`, `npm run users -- disable NAME`.
 */
import { parseArgs } from 'node:util';
import { recordAudit } from '../lib/auth/audit';
import { ROLES, type Role } from '../lib/auth/roles';
import { revokeUserSessions } from '../lib/auth/sessions';
import { createUser, disableUser, findUserByUsername, listUsers } from '../lib/auth/users';
import { migrateConsoleSchema } from '../lib/db/migrate';
import { openScriptDatabase } from '../lib/db/script-database';

const USAGE = `usage:
  npm run users -- add NAME --role ROLE [--role ROLE]   (password read from standard input)
  npm run users -- list
  npm run users -- disable NAME
roles: ${ROLES.join(', ')}`;

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

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { role: { type: 'string', multiple: true } },
  });
  const [command, name] = positionals;
  if (!command || !['add', 'list', 'disable'].includes(command) || (command !== 'list' && !name)) {
    console.error(USAGE);
    return 2;
  }
  const handle = await openScriptDatabase({ applicationName: 'dxy-cutover-users' });
  try {
    const { database } = handle;
    await migrateConsoleSchema(database);
    const audit = (action: string, inputs: unknown) =>
      recordAudit(database.sql, {
        userId: null,
        username: `cli:${process.env.USER ?? 'unknown'}`,
        action,
        outcome: 'ok',
        inputs,
      });
    if (command === 'list') {
      for (const user of await listUsers(database.db)) {
        console.log(
          `${user.username.padEnd(20)} ${user.roles.join(',').padEnd(30)} ${user.disabledAt ? 'disabled' : 'active'}`,
        );
      }
      return 0;
    }
    if (command === 'add') {
      const roles = (values.role ?? []) as string[];
      const unknown = roles.filter((role) => !ROLES.includes(role as Role));
      if (roles.length === 0 || unknown.length > 0) {
        console.error(
          `Give one or more --role among ${ROLES.join(', ')}${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}.`,
        );
        return 2;
      }
      const password = await readStdin();
      const user = await createUser(database.db, { username: name as string, password, roles: roles as Role[] });
      await audit('users.add', { username: user.username, roles: user.roles });
      console.log(`Added ${user.username} (${user.roles.join(', ')}).`);
      return 0;
    }
    const user = await findUserByUsername(database.db, { username: name as string });
    if (!user) {
      console.error(`No user named "${name}".`);
      return 1;
    }
    await disableUser(database.db, { username: user.username, at: new Date() });
    await revokeUserSessions(database.db, { userId: user.id });
    await audit('users.disable', { username: user.username });
    console.log(`Disabled ${user.username} and revoked their sessions.`);
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
