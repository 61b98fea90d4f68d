import { hostname, userInfo } from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import { confirmBreakGlassChange } from '../lib/auth/break-glass-confirm';
import { signIn } from '../lib/auth/login';
import { runScript } from '../test-support/run-script';
import { useTestDatabase } from '../test-support/world-database';

function users(args: string[], env: Record<string, string>, stdin = '') {
  return runScript('scripts/users.ts', args, { env, stdin });
}

describe('npm run users: break-glass only, once an admin exists', () => {
  const test = useTestDatabase();
  let env: Record<string, string>;
  const osUser = userInfo().username;
  const host = hostname();

  const auditRows = (action: string) =>
    test.database.sql<{ username: string; outcome: string; detail: Record<string, unknown> }[]>`
      select username, outcome, detail from cutover.audit_events where action = ${action} order by id`;
  const countUsers = async () =>
    (await test.database.sql<{ n: number }[]>`select count(*)::int as n from cutover.users`)[0]?.n;

  beforeAll(async () => {
    // $USER is not who ran the command: the audit must read the operating system instead.
    env = { DATABASE_URL: test.url, USER: 'someone-else' };
  });

  it('without an admin, refuses any user but an admin (exit 3), and checks roles and names (exit 2)', async () => {
    const operator = await users(['add', 'olaf', '--role', 'operator'], env, 'olaf-long-password\n');
    expect(operator.code, operator.stderr).toBe(3);
    expect(operator.stderr).toContain('No active admin exists');
    expect((await users(['add', 'omar', '--role', 'superuser'], env, 'omar-long-password\n')).code).toBe(2);
    expect((await users(['add', 'Bad Name', '--role', 'admin'], env, 'bad-long-password\n')).code).toBe(2);
    expect((await users(['add', 'omar', '--role', 'admin', '--break-glass', '  '], env, 'x\n')).code).toBe(2);
    const short = await users(['add', 'omar', '--role', 'admin'], env, 'short\n');
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('at least 10 characters');
    expect(await countUsers()).toBe(0);
  });

  it('creates the first admin (password from standard input), audited as such with the OS user and host', async () => {
    const added = await users(['add', 'nina', '--role', 'admin', '--role', 'operator'], env, 'nina-long-password\n');
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain('Added nina (operator, admin)');
    const result = await signIn(test.database, { username: 'nina', password: 'nina-long-password', ip: 'test' });
    expect(result.status).toBe('ok');
    const [audit] = await auditRows('users.first_admin');
    expect(audit).toMatchObject({
      username: `cli:${osUser}@${host}`,
      outcome: 'ok',
      detail: { firstAdmin: true, osUser, host },
    });
    expect(JSON.stringify(audit)).not.toContain('nina-long-password');
  });

  it('with an admin present, add, roles and disable without --break-glass are refused (exit 3), audited, and change nothing', async () => {
    const second = await users(['add', 'otto', '--role', 'admin'], env, 'otto-long-password\n');
    expect(second.code).toBe(3);
    expect(second.stderr).toContain('Users page');
    expect(second.stderr).toContain('--break-glass');
    expect((await users(['add', 'olaf', '--role', 'approver'], env, 'olaf-long-password\n')).code).toBe(3);
    expect((await users(['roles', 'nina', '--role', 'viewer'], env)).code).toBe(3);
    expect((await users(['disable', 'nina'], env)).code).toBe(3);
    expect(await countUsers()).toBe(1);
    const [nina] = await test.database.sql`select roles, disabled_at from cutover.users where username = 'nina'`;
    expect(nina).toMatchObject({ roles: ['operator', 'admin'], disabled_at: null });
    const refused = await test.database.sql<{ action: string; outcome: string; username: string }[]>`
      select action, outcome, username from cutover.audit_events where action like 'users.cli_%' order by id`;
    expect(refused.map((r) => r.action)).toEqual([
      'users.cli_add', // the operator refused while no admin existed
      'users.cli_add',
      'users.cli_add',
      'users.cli_roles',
      'users.cli_disable',
    ]);
    expect(new Set(refused.map((r) => `${r.outcome} ${r.username}`))).toEqual(
      new Set([`refused cli:${osUser}@${host}`]),
    );
  });

  it('list stays allowed', async () => {
    const listed = await users(['list'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/nina\s+operator,admin\s+active/);
  });

  it('with --break-glass "reason" it proceeds, audited as break-glass with the reason, OS user and host', async () => {
    const reason = 'nina is locked out of the console during the cutover';
    const added = await users(
      ['add', 'paul', '--role', 'approver', '--break-glass', reason],
      env,
      'paul-long-password\n',
    );
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain(`Audited as break-glass by ${osUser} on ${host}`);
    expect((await users(['roles', 'paul', '--role', 'viewer', '--break-glass', reason], env)).code).toBe(0);
    const duplicate = await users(
      ['add', 'paul', '--role', 'viewer', '--break-glass', reason],
      env,
      'paul-long-password\n',
    );
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('already exists');

    const session = await signIn(test.database, { username: 'paul', password: 'paul-long-password', ip: 'test-paul' });
    expect(session.status).toBe('ok');
    await test.database.sql`
      insert into cutover.api_tokens (user_id, name, token_hash, prefix, expires_at)
      select id, 'ci', 'hash-of-pauls-token', 'dxyc_pau', now() + interval '7 days' from cutover.users where username = 'paul'`;
    const disabled = await users(['disable', 'paul', '--break-glass', reason], env);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(disabled.stdout).toContain('revoked 1 session(s) and 1 API token(s)');
    const after = await signIn(test.database, { username: 'paul', password: 'paul-long-password', ip: 'test-paul-2' });
    expect(after.status).toBe('failed');

    for (const action of ['users.break_glass_add', 'users.break_glass_roles', 'users.break_glass_disable']) {
      const rows = await auditRows(action);
      expect(
        rows.filter((r) => r.outcome === 'ok'),
        action,
      ).toHaveLength(1);
      expect(rows[0], action).toMatchObject({
        username: `cli:${osUser}@${host}`,
        detail: { breakGlass: true, reason, osUser, host },
      });
    }
    const [paul] = await test.database.sql`select roles, disabled_at from cutover.users where username = 'paul'`;
    expect(paul?.roles).toEqual(['viewer']);
    expect(paul?.disabled_at).toBeInstanceOf(Date);
    expect(JSON.stringify(await auditRows('users.break_glass_add'))).not.toContain('paul-long-password');
  });
});

describe('npm run users during an active migration run: a change waits for a second OS user', () => {
  const test = useTestDatabase();
  const osUser = userInfo().username;
  const host = hostname();
  const env = () => ({ DATABASE_URL: test.url });
  const userNamed = async (username: string) =>
    (await test.database.sql<{ roles: string[] }[]>`select roles from cutover.users where username = ${username}`)[0] ??
    null;

  beforeAll(async () => {
    await test.database.sql`insert into cutover.users (username, password_hash, roles) values ('nina', 'x', '{admin}')`;
    await test.database.sql`insert into cutover.migration_runs (status, started_by) values ('active', 'olivia')`;
  });

  it('asks, changes nothing, and is audited before it applies; the same OS user cannot confirm it, whatever $USER says', async () => {
    const reason = 'nina is away and phase 9 needs an approver';
    const asked = await users(
      ['add', 'mallory', '--role', 'approver', '--break-glass', reason],
      env(),
      'mallory-long-password\n',
    );
    expect(asked.code, asked.stderr).toBe(4);
    const id = Number(/change #(\d+)/.exec(asked.stdout)?.[1]);
    expect(asked.stdout).toContain(`A different OS user confirms it with \`npm run users -- confirm ${id}\``);
    expect(await userNamed('mallory')).toBeNull();
    const [pending] = await test.database.sql<{ username: string; detail: Record<string, unknown> }[]>`
      select username, detail from cutover.audit_events where action = 'users.break_glass_pending'`;
    expect(pending).toMatchObject({ username: `cli:${osUser}@${host}`, detail: { changeId: id, reason, osUser } });
    expect(JSON.stringify(await test.database.sql`select * from cutover.audit_events`)).not.toContain(
      'mallory-long-password',
    );
    expect((await users(['list'], env())).stdout).toMatch(
      new RegExp(`waiting: change #${id} add mallory \\(approver\\) asked by ${osUser}@`),
    );

    // The same OS user again — even claiming another name through the environment — is refused.
    const self = await users(['confirm', String(id)], { ...env(), USER: 'second-person', LOGNAME: 'second-person' });
    expect(self.code, self.stderr).toBe(3);
    expect(self.stderr).toContain(`was asked by OS user ${osUser}`);
    expect(self.stderr).toContain('a different OS user must confirm it');
    expect(await userNamed('mallory')).toBeNull();
    const [refused] = await test.database.sql<{ outcome: string }[]>`
      select outcome from cutover.audit_events where action = 'users.break_glass_confirm' order by id desc limit 1`;
    expect(refused?.outcome).toBe('refused');
  });

  it('a different OS user confirms it: it applies once, attributed to both, and the password is the one typed', async () => {
    const [change] = await test.database.sql<{ id: number }[]>`
      select id from cutover.break_glass_changes where username = 'mallory'`;
    const id = change?.id ?? 0;
    const confirmed = await confirmBreakGlassChange(test.database, {
      id,
      confirmer: { osUser: 'second-person', host: 'db-host-2' },
    });
    expect(confirmed).toEqual({ status: 'ok', message: 'Added mallory (approver).' });
    expect(await userNamed('mallory')).toEqual({ roles: ['approver'] });
    const signedIn = await signIn(test.database, { username: 'mallory', password: 'mallory-long-password', ip: 't' });
    expect(signedIn.status).toBe('ok');
    const [origin] = await test.database.sql`
      select c.via, c.os_user, c.confirmed_by_os_user, c.changed_by, c.break_glass_change_id
        from cutover.account_changes c join cutover.users u on u.id = c.user_id where u.username = 'mallory'`;
    expect(origin).toEqual({
      via: 'break-glass',
      os_user: osUser,
      confirmed_by_os_user: 'second-person',
      changed_by: `cli:${osUser}@${host}`,
      break_glass_change_id: id,
    });
    const [row] = await test.database.sql`
      select status, decided_os_user, password_hash from cutover.break_glass_changes where id = ${id}`;
    expect(row).toEqual({ status: 'confirmed', decided_os_user: 'second-person', password_hash: null });
    const again = await confirmBreakGlassChange(test.database, { id, confirmer: { osUser: 'third', host: 'h' } });
    expect(again).toEqual({ status: 'refused', reason: `Break-glass change #${id} is already confirmed.` });
  });

  it('roles and disable wait too, and a change left unconfirmed expires', async () => {
    const roles = await users(['roles', 'nina', '--role', 'admin', '--role', 'approver', '--break-glass', 'r'], env());
    expect(roles.code, roles.stderr).toBe(4);
    const disable = await users(['disable', 'mallory', '--break-glass', 'r'], env());
    expect(disable.code, disable.stderr).toBe(4);
    expect(await userNamed('nina')).toEqual({ roles: ['admin'] });
    const [mallory] = await test.database.sql`select disabled_at from cutover.users where username = 'mallory'`;
    expect(mallory?.disabled_at).toBeNull();

    const id = Number(/change #(\d+)/.exec(roles.stdout)?.[1]);
    await test.database
      .sql`update cutover.break_glass_changes set expires_at = now() - interval '1 minute' where id = ${id}`;
    const late = await confirmBreakGlassChange(test.database, {
      id,
      confirmer: { osUser: 'second-person', host: 'h' },
    });
    expect(late).toMatchObject({ status: 'refused', reason: expect.stringContaining('expired') });
    expect(await userNamed('nina')).toEqual({ roles: ['admin'] });
  });

  it('with the run closed, break-glass applies at once again', async () => {
    await test.database.sql`update cutover.migration_runs set status = 'abandoned', closed_at = now()`;
    const direct = await users(['roles', 'mallory', '--role', 'viewer', '--break-glass', 'r'], env());
    expect(direct.code, direct.stderr).toBe(0);
    expect(await userNamed('mallory')).toEqual({ roles: ['viewer'] });
  });
});

describe('npm run users: the first admin during an active migration run waits too', () => {
  const test = useTestDatabase();

  it('exit 4, nobody created; a second OS user confirms while still no admin exists', async () => {
    await test.database.sql`insert into cutover.migration_runs (status, started_by) values ('active', 'olivia')`;
    const asked = await users(
      ['add', 'root-admin', '--role', 'admin', '--role', 'approver'],
      { DATABASE_URL: test.url },
      'root-long-password\n',
    );
    expect(asked.code, asked.stderr).toBe(4);
    const [count] = await test.database.sql`select count(*)::int as n from cutover.users`;
    expect(count?.n).toBe(0);
    const id = Number(/change #(\d+)/.exec(asked.stdout)?.[1]);
    const confirmed = await confirmBreakGlassChange(test.database, {
      id,
      confirmer: { osUser: 'second-person', host: 'h' },
    });
    expect(confirmed).toEqual({ status: 'ok', message: 'Added root-admin (approver, admin).' });
    const [origin] = await test.database.sql`select via from cutover.account_changes`;
    expect(origin?.via).toBe('first-admin');
  });
});
