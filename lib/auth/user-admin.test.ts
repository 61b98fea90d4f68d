import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test-support/world-database';
import { type ActionSpec, executeAction } from './action';
import { acceptInvitation, readInvitation } from './invitations';
import { signIn } from './login';
import { ROLES, type Role } from './roles';
import { findSessionUser, type SessionUser } from './sessions';
import {
  addUserWithOneTimePassword,
  changeUserRoles,
  disableUser,
  enableUser,
  inviteUser,
  revokeInvitation,
  SELF_ROLES,
} from './user-admin';
import { listPendingInvitations, listUsersForAdmin } from './user-admin-list';
import { changeOwnPassword, PASSWORD_CHANGE_FIRST, refuseUntilPasswordChanged } from './user-admin-password';
import { createUser, whyNameUnavailable } from './users';

const ORIGIN = 'http://console.test:3000';

describe('users are managed by an admin in the console', () => {
  const test = useTestDatabase();
  const people: Record<string, SessionUser> = {};

  const act = <T>(spec: ActionSpec<never, T>, who: string, rawInput: unknown) =>
    executeAction(spec, { database: test.database, user: people[who] ?? null, rawInput });

  const latestAudit = async (action: string) => {
    const [row] = await test.database.sql<
      { username: string | null; outcome: string; inputs: Record<string, unknown>; detail: Record<string, unknown> }[]
    >`select username, outcome, inputs, detail from cutover.audit_events where action = ${action} order by id desc limit 1`;
    return row;
  };

  const userRow = async (username: string) => {
    const [row] = await test.database.sql<
      { roles: Role[]; disabledAt: Date | null; mustChangePassword: boolean }[]
    >`select roles, disabled_at as "disabledAt", must_change_password as "mustChangePassword"
        from cutover.users where username = ${username}`;
    return row ?? null;
  };

  const signInAs = async (username: string, password: string) => {
    const result = await signIn(test.database, { username, password, ip: `test-${username}` });
    if (result.status !== 'ok') throw new Error(`${username} could not sign in: ${result.message}`);
    const user = await findSessionUser(test.database.db, { token: result.token });
    if (!user) throw new Error('no session');
    return { token: result.token, user };
  };

  beforeAll(async () => {
    for (const role of ROLES) {
      await createUser(test.database.db, { username: `the-${role}`, password: `${role}-long-password`, roles: [role] });
      people[role] = (await signInAs(`the-${role}`, `${role}-long-password`)).user;
    }
  });

  it('an admin adds a user with a one-time password, audited under the admin’s name without the password', async () => {
    const result = await act(addUserWithOneTimePassword as never, 'admin', {
      username: 'olga',
      roles: ['viewer', 'operator', 'viewer'],
    });
    expect(result.status, JSON.stringify(result)).toBe('ok');
    if (result.status !== 'ok') return;
    const { oneTimePassword } = result.data as { oneTimePassword: string };
    expect(oneTimePassword.length).toBeGreaterThanOrEqual(20);
    expect(await userRow('olga')).toMatchObject({ roles: ['viewer', 'operator'], mustChangePassword: true });
    const audit = await latestAudit('users.add_user');
    expect(audit).toMatchObject({ username: 'the-admin', outcome: 'ok' });
    expect(JSON.stringify(audit)).not.toContain(oneTimePassword);
    expect(JSON.stringify(audit)).toContain('olga');
  });

  it('the one-time password signs in, but the user must set their own before anything else', async () => {
    const listed = (await listUsersForAdmin(test.database.sql, new Date())).find((u) => u.username === 'pia');
    expect(listed).toBeUndefined();
    const added = await act(addUserWithOneTimePassword as never, 'admin', { username: 'pia', roles: ['viewer'] });
    if (added.status !== 'ok') throw new Error(JSON.stringify(added));
    const oneTime = (added.data as { oneTimePassword: string }).oneTimePassword;
    const first = await signInAs('pia', oneTime);
    const second = await signInAs('pia', oneTime);
    expect(first.user.mustChangePassword).toBe(true);

    const pia = first.user;
    // With the admin's password, nothing but the change passes — audited under pia's name.
    const elsewhere = await refuseUntilPasswordChanged(test.database, {
      specName: 'runbook.start_phase_run',
      user: pia,
      rawInput: { phase: '1' },
    });
    expect(elsewhere).toEqual({ status: 'refused', reason: PASSWORD_CHANGE_FIRST });
    expect(await latestAudit('runbook.start_phase_run')).toMatchObject({ username: 'pia', outcome: 'refused' });
    expect(
      await refuseUntilPasswordChanged(test.database, { specName: changeOwnPassword.name, user: pia, rawInput: {} }),
    ).toBeNull();
    const same = await executeAction(changeOwnPassword, {
      database: test.database,
      user: pia,
      rawInput: { currentPassword: oneTime, newPassword: oneTime, confirmPassword: oneTime },
    });
    expect(same.status).toBe('invalid');
    const wrongCurrent = await executeAction(changeOwnPassword, {
      database: test.database,
      user: pia,
      rawInput: {
        currentPassword: 'not-the-password',
        newPassword: 'pia-own-password',
        confirmPassword: 'pia-own-password',
      },
    });
    expect(wrongCurrent).toEqual({ status: 'refused', reason: 'The current password is wrong.' });
    const mismatch = await executeAction(changeOwnPassword, {
      database: test.database,
      user: pia,
      rawInput: { currentPassword: oneTime, newPassword: 'pia-own-password', confirmPassword: 'pia-own-passw0rd' },
    });
    expect(mismatch.status).toBe('invalid');
    expect((await userRow('pia'))?.mustChangePassword).toBe(true);

    const changed = await executeAction(changeOwnPassword, {
      database: test.database,
      user: pia,
      rawInput: { currentPassword: oneTime, newPassword: 'pia-own-password', confirmPassword: 'pia-own-password' },
    });
    expect(changed).toMatchObject({ status: 'ok', data: { endedOtherSessions: 1 } });
    expect((await userRow('pia'))?.mustChangePassword).toBe(false);
    // The session in use goes on, without the flag; the other one has ended; the one-time password is dead.
    expect(await findSessionUser(test.database.db, { token: first.token })).toMatchObject({
      mustChangePassword: false,
    });
    expect(await findSessionUser(test.database.db, { token: second.token })).toBeNull();
    expect((await signIn(test.database, { username: 'pia', password: oneTime, ip: 'x' })).status).toBe('failed');
    const afterChange = await findSessionUser(test.database.db, { token: first.token });
    expect(
      await refuseUntilPasswordChanged(test.database, {
        specName: 'runbook.start_phase_run',
        user: afterChange,
        rawInput: {},
      }),
    ).toBeNull();
    expect((await signIn(test.database, { username: 'pia', password: 'pia-own-password', ip: 'x' })).status).toBe('ok');
    const audit = await latestAudit('users.change_own_password');
    expect(audit).toMatchObject({ username: 'pia', outcome: 'ok' });
    expect(JSON.stringify(audit)).not.toContain('pia-own-password');
  });

  for (const role of ['viewer', 'operator', 'approver'] as const) {
    it(`a ${role} cannot add, invite, change roles or disable: each attempt refused and audited`, async () => {
      const attempts: [ActionSpec<never, unknown>, Record<string, unknown>][] = [
        [addUserWithOneTimePassword as never, { username: `second-${role}`, roles: ['approver'] }],
        [inviteUser as never, { username: `second-${role}`, roles: ['approver'], origin: ORIGIN }],
        [changeUserRoles as never, { username: `the-${role}`, roles: ['admin'] }],
        [disableUser as never, { username: 'the-admin' }],
        [enableUser as never, { username: 'the-admin' }],
        [revokeInvitation as never, { invitationId: 1 }],
      ];
      for (const [spec, input] of attempts) {
        const result = await act(spec, role, input);
        expect(result.status, spec.name).toBe('refused');
        expect(await latestAudit(spec.name)).toMatchObject({ username: `the-${role}`, outcome: 'refused' });
      }
      expect(await userRow(`second-${role}`)).toBeNull();
      expect(await userRow(`the-${role}`)).toMatchObject({ roles: [role] });
      expect(await userRow('the-admin')).toMatchObject({ disabledAt: null });
      expect(await listPendingInvitations(test.database.sql, new Date())).toEqual([]);
    });
  }

  it('an operator cannot make a second (approver) account to approve their own phase 9', async () => {
    // The two-person rule holds because a second account needs an admin: the operator's attempt
    // creates nothing and sits in the audit log under their name.
    const result = await act(addUserWithOneTimePassword as never, 'operator', {
      username: 'operator-alt',
      roles: ['approver'],
    });
    expect(result).toMatchObject({ status: 'refused', reason: expect.stringContaining('Requires role admin') });
    expect(await userRow('operator-alt')).toBeNull();
    // A refused call is audited as metadata (lib/auth/refusal-audit.ts): who, why, sizes — not the input.
    expect(await latestAudit('users.add_user')).toMatchObject({
      username: 'the-operator',
      outcome: 'refused',
      inputs: {},
      detail: { reason: expect.stringContaining('Requires role admin'), sizes: { keys: 2 } },
    });
  });

  it('refuses invalid names, unknown or no roles, and taken names, changing nothing', async () => {
    const before = await test.database.sql`select count(*)::int as n from cutover.users`;
    for (const input of [
      { username: 'Has Spaces', roles: ['viewer'] },
      { username: "x'; drop table cutover.users; --", roles: ['viewer'] },
      { username: 'ok-name', roles: [] },
      { username: 'ok-name', roles: ['superuser'] },
    ]) {
      expect((await act(addUserWithOneTimePassword as never, 'admin', input)).status).toBe('invalid');
    }
    const taken = await act(addUserWithOneTimePassword as never, 'admin', { username: 'olga', roles: ['viewer'] });
    expect(taken).toEqual({ status: 'refused', reason: 'A user named "olga" already exists.' });
    const invitedTaken = await act(inviteUser as never, 'admin', {
      username: 'olga',
      roles: ['viewer'],
      origin: ORIGIN,
    });
    expect(invitedTaken.status).toBe('refused');
    const after = await test.database.sql`select count(*)::int as n from cutover.users`;
    expect(after[0]?.n).toBe(before[0]?.n);
    expect(await userRow('olga')).toMatchObject({ roles: ['viewer', 'operator'] });
  });

  it('two admins adding the same name at once: exactly one user, the other refused clearly', async () => {
    const second = await signInAs('the-admin', 'admin-long-password');
    people['admin-2'] = second.user;
    const results = await Promise.all([
      act(addUserWithOneTimePassword as never, 'admin', { username: 'raced', roles: ['viewer'] }),
      act(addUserWithOneTimePassword as never, 'admin-2', { username: 'raced', roles: ['operator'] }),
      act(inviteUser as never, 'admin', { username: 'raced', roles: ['approver'], origin: ORIGIN }),
    ]);
    expect(results.filter((r) => r.status === 'ok')).toHaveLength(1);
    for (const refused of results.filter((r) => r.status !== 'ok')) {
      expect(refused).toMatchObject({ status: 'refused', reason: expect.stringMatching(/"raced"/) });
    }
    const [count] = await test.database.sql`
      select (select count(*)::int from cutover.users where username = 'raced')
           + (select count(*)::int from cutover.user_invitations where username = 'raced') as n`;
    expect(count?.n).toBe(1);
  });

  it('roles change under the admin’s name and apply to the open session at its next request', async () => {
    const olga = await signInAs('olga', 'unused').catch(() => null);
    expect(olga).toBeNull();
    const viewer = await signInAs('the-viewer', 'viewer-long-password');
    const result = await act(changeUserRoles as never, 'admin', {
      username: 'the-viewer',
      roles: ['viewer', 'approver'],
    });
    expect(result).toMatchObject({ status: 'ok', data: { before: ['viewer'], after: ['viewer', 'approver'] } });
    expect(await latestAudit('users.change_roles')).toMatchObject({ username: 'the-admin', outcome: 'ok' });
    expect((await findSessionUser(test.database.db, { token: viewer.token }))?.roles).toEqual(['viewer', 'approver']);
    await act(changeUserRoles as never, 'admin', { username: 'the-viewer', roles: ['viewer'] });
    expect((await findSessionUser(test.database.db, { token: viewer.token }))?.roles).toEqual(['viewer']);
    const unknown = await act(changeUserRoles as never, 'admin', { username: 'nobody', roles: ['viewer'] });
    expect(unknown).toEqual({ status: 'refused', reason: 'No user named "nobody".' });
  });

  it('the last active admin can neither lose the admin role nor be disabled; with a second admin, they can', async () => {
    // Nobody changes their own roles (separation of duties), so the last admin cannot demote themselves either.
    const demote = await act(changeUserRoles as never, 'admin', { username: 'the-admin', roles: ['operator'] });
    expect(demote).toEqual({ status: 'refused', reason: SELF_ROLES });
    const disable = await act(disableUser as never, 'admin', { username: 'the-admin' });
    expect(disable).toMatchObject({ status: 'refused', reason: expect.stringContaining('last active admin') });
    expect(await userRow('the-admin')).toMatchObject({ roles: ['admin'], disabledAt: null });
    expect(await latestAudit('users.disable_user')).toMatchObject({ username: 'the-admin', outcome: 'refused' });

    // Two admins each removing the other's role at the same instant: one must be refused.
    await act(changeUserRoles as never, 'admin', { username: 'the-approver', roles: ['approver', 'admin'] });
    const approverAdmin = (await signInAs('the-approver', 'approver-long-password')).user;
    people['approver-admin'] = approverAdmin;
    const both = await Promise.all([
      act(changeUserRoles as never, 'admin', { username: 'the-approver', roles: ['approver'] }),
      act(changeUserRoles as never, 'approver-admin', { username: 'the-admin', roles: ['operator'] }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual(['ok', 'refused']);
    const [admins] = await test.database.sql`
      select count(*)::int as n from cutover.users where 'admin' = any(roles) and disabled_at is null`;
    expect(admins?.n).toBe(1);
    // Put the admin role back where the race took it, for the tests below.
    if (both[1]?.status === 'ok') {
      await act(changeUserRoles as never, 'approver-admin', { username: 'the-admin', roles: ['admin'] });
      await act(changeUserRoles as never, 'admin', { username: 'the-approver', roles: ['approver'] });
    }
    expect(await userRow('the-admin')).toMatchObject({ roles: ['admin'] });
    expect(await userRow('the-approver')).toMatchObject({ roles: ['approver'] });
  });

  it('disabling revokes the user’s sessions and API tokens at once; enabling lets them sign in afresh', async () => {
    const operator = await signInAs('the-operator', 'operator-long-password');
    // A personal API token row as the Tokens page makes one (only its hash is stored).
    await test.database.sql`
      insert into cutover.api_tokens (user_id, name, token_hash, prefix, expires_at)
      values (${operator.user.id}, 'ci', 'hash-of-a-token', 'dxyc_abc', now() + interval '7 days')`;
    const result = await act(disableUser as never, 'admin', { username: 'the-operator' });
    expect(result).toMatchObject({ status: 'ok', data: { username: 'the-operator' } });
    if (result.status !== 'ok') return;
    expect((result.data as { revokedSessions: number }).revokedSessions).toBeGreaterThanOrEqual(2);
    expect((result.data as { revokedApiTokens: number }).revokedApiTokens).toBe(1);
    expect(await latestAudit('users.disable_user')).toMatchObject({ username: 'the-admin', outcome: 'ok' });
    expect(await findSessionUser(test.database.db, { token: operator.token })).toBeNull();
    const [open] = await test.database.sql`
      select (select count(*)::int from cutover.sessions s join cutover.users u on u.id = s.user_id
               where u.username = 'the-operator' and s.revoked_at is null)
           + (select count(*)::int from cutover.api_tokens t join cutover.users u on u.id = t.user_id
               where u.username = 'the-operator' and t.revoked_at is null) as n`;
    expect(open?.n).toBe(0);
    expect(
      (await signIn(test.database, { username: 'the-operator', password: 'operator-long-password', ip: 'y' })).status,
    ).toBe('failed');
    expect((await act(disableUser as never, 'admin', { username: 'the-operator' })).status).toBe('refused');

    expect((await act(enableUser as never, 'admin', { username: 'the-operator' })).status).toBe('ok');
    expect(await latestAudit('users.enable_user')).toMatchObject({ username: 'the-admin', outcome: 'ok' });
    expect(await findSessionUser(test.database.db, { token: operator.token })).toBeNull();
    expect((await signInAs('the-operator', 'operator-long-password')).user.roles).toEqual(['operator']);
  });

  it('an invitation link is single use: two tabs accepting at once create exactly one user', async () => {
    const invited = await act(inviteUser as never, 'admin', { username: 'quinn', roles: ['approver'], origin: ORIGIN });
    if (invited.status !== 'ok') throw new Error(JSON.stringify(invited));
    const link = (invited.data as { linkWithToken: string }).linkWithToken;
    expect(link).toMatch(/^http:\/\/console\.test:3000\/invite\/[A-Za-z0-9_-]{43}$/);
    const token = link.split('/').at(-1) as string;
    const audit = await latestAudit('users.invite_user');
    expect(audit).toMatchObject({ username: 'the-admin', outcome: 'ok' });
    expect(JSON.stringify(audit)).not.toContain(token);
    expect(await readInvitation(test.database.sql, { token, now: new Date() })).toMatchObject({
      status: 'pending',
      username: 'quinn',
      roles: ['approver'],
    });
    expect((await listPendingInvitations(test.database.sql, new Date())).map((i) => i.username)).toEqual(['quinn']);

    const mismatch = await acceptInvitation(test.database, {
      rawInput: { token, password: 'quinn-password-1', confirmPassword: 'quinn-password-2' },
    });
    expect(mismatch.status).toBe('invalid');
    const tabs = await Promise.all(
      ['quinn-password-a', 'quinn-password-b'].map((password) =>
        acceptInvitation(test.database, { rawInput: { token, password, confirmPassword: password } }),
      ),
    );
    expect(tabs.map((t) => t.status).sort()).toEqual(['ok', 'refused']);
    expect(tabs.find((t) => t.status === 'refused')).toMatchObject({ reason: expect.stringContaining('already used') });
    const [users] = await test.database.sql`select count(*)::int as n from cutover.users where username = 'quinn'`;
    expect(users?.n).toBe(1);
    const winner = tabs[0]?.status === 'ok' ? 'quinn-password-a' : 'quinn-password-b';
    const quinn = await signInAs('quinn', winner);
    expect(quinn.user).toMatchObject({ roles: ['approver'], mustChangePassword: false });
    expect(await readInvitation(test.database.sql, { token, now: new Date() })).toEqual({
      status: 'accepted',
      username: 'quinn',
    });
    const [accepted, reused] = await test.database.sql<{ username: string; outcome: string }[]>`
      select username, outcome from cutover.audit_events
       where action = 'users.accept_invitation' and outcome in ('ok', 'refused') order by outcome`;
    expect(accepted).toMatchObject({ username: 'quinn', outcome: 'ok' });
    expect(reused).toMatchObject({ username: 'quinn', outcome: 'refused' });
    expect(JSON.stringify(accepted)).not.toContain(winner);
  });

  it('an expired, a revoked or a made-up invitation creates nobody', async () => {
    const invite = async (username: string) => {
      const result = await act(inviteUser as never, 'admin', { username, roles: ['viewer'], origin: ORIGIN });
      if (result.status !== 'ok') throw new Error(JSON.stringify(result));
      const data = result.data as { linkWithToken: string; invitationId: number };
      return { token: data.linkWithToken.split('/').at(-1) as string, id: data.invitationId };
    };
    const accept = (token: string, now?: Date) =>
      acceptInvitation(test.database, {
        rawInput: { token, password: 'some-long-password', confirmPassword: 'some-long-password' },
        now,
      });

    const late = await invite('rita');
    const in73Hours = new Date(Date.now() + 73 * 60 * 60 * 1000);
    expect(await accept(late.token, in73Hours)).toMatchObject({
      status: 'refused',
      reason: expect.stringContaining('expired'),
    });

    const revoked = await invite('sam');
    expect((await act(revokeInvitation as never, 'admin', { invitationId: revoked.id })).status).toBe('ok');
    expect(await latestAudit('users.revoke_invitation')).toMatchObject({ username: 'the-admin', outcome: 'ok' });
    expect(await accept(revoked.token)).toMatchObject({
      status: 'refused',
      reason: expect.stringContaining('revoked'),
    });
    expect((await act(revokeInvitation as never, 'admin', { invitationId: revoked.id })).status).toBe('refused');

    expect(await accept('made-up-token')).toMatchObject({
      status: 'refused',
      reason: expect.stringContaining('not valid'),
    });
    const [created] = await test.database.sql`
      select count(*)::int as n from cutover.users where username in ('rita', 'sam')`;
    expect(created?.n).toBe(0);
    // A lapsed invitation blocks nobody: its name is free again, while a pending one's is not.
    expect(await readInvitation(test.database.sql, { token: late.token, now: in73Hours })).toEqual({
      status: 'expired',
      username: 'rita',
    });
    expect(await whyNameUnavailable(test.database.sql, 'rita', new Date())).toContain('pending');
    expect(await whyNameUnavailable(test.database.sql, 'rita', in73Hours)).toBeNull();
  });
});
