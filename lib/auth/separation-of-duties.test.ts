/**
 * One admin is not two people: nobody changes their own roles, and an account one party made or
 * re-roled within the migration run cannot decide that party's request — directly, through an
 * invitation, or through an admin account made in turn. Accounts made before the run, or by
 * someone else, still decide; each decision records who created both accounts and when.
 */
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test-support/world-database';
import { insertApproval } from '../db/tables/approvals';
import { approveRequest, rejectRequest } from '../runbook/actions/decide-approval';
import { listApprovals } from '../runbook/read/list-approvals';
import { readRunReport } from '../runbook/read/report/read-run-report';
import { type AccountOrigin, describeAccountOrigin } from './account-origin';
import { type ActionSpec, executeAction } from './action';
import { recordPendingBreakGlassChange } from './break-glass';
import { confirmBreakGlassChange } from './break-glass-confirm';
import { acceptInvitation } from './invitations';
import type { Role } from './roles';
import type { SessionUser } from './sessions';
import {
  addUserWithOneTimePassword,
  changeUserRoles,
  disableUser,
  enableUser,
  inviteUser,
  SELF_ROLES,
} from './user-admin';
import { listUsersForAdmin } from './user-admin-list';
import { createUser } from './users';

describe('separation of duties', () => {
  const test = useTestDatabase({ perTest: true });

  const act = <T>(spec: ActionSpec<never, T>, user: SessionUser, rawInput: unknown) =>
    executeAction(spec, { database: test.database, user, rawInput });

  /** An account made outside the console (before provenance, as a test seed): its creator is unrecorded. */
  const seed = async (username: string, roles: Role[]): Promise<SessionUser> => {
    const row = await createUser(test.database.db, { username, password: `${username}-long-password`, roles });
    return { id: row.id, username, roles, sessionId: `session-of-${username}` };
  };

  /** Someone signed in as a user the console made: the roles they hold now. */
  const as = async (username: string): Promise<SessionUser> => {
    const [row] = await test.database.sql<{ id: number; roles: Role[] }[]>`
      select id, roles from cutover.users where username = ${username}`;
    if (!row) throw new Error(`no user ${username}`);
    return { id: row.id, username, roles: row.roles, sessionId: `session-of-${username}` };
  };

  const add = async (admin: SessionUser, username: string, roles: Role[]) => {
    const result = await act(addUserWithOneTimePassword as never, admin, { username, roles });
    expect(result.status, JSON.stringify(result)).toBe('ok');
    return as(username);
  };

  /**
   * A request by `requester` in the given migration run, or in one started now. Its phase run is
   * not active (a rejected one), so that a run can hold several: the decision is refused before
   * the run's status matters.
   */
  const requestIn = async (requester: string, inRun?: number) => {
    const [migration] = inRun
      ? [{ id: inRun }]
      : await test.database.sql<{ id: number }[]>`
          insert into cutover.migration_runs (status, started_by) values ('active', ${requester}) returning id`;
    const [run] = await test.database.sql<{ id: number }[]>`
      insert into cutover.phase_runs (migration_run_id, phase, status, requested_by)
      values (${migration?.id ?? 0}, 'rollback', 'rejected', ${requester}) returning id`;
    const phaseRunId = run?.id ?? 0;
    await insertApproval(test.database.sql, {
      kind: 'rollback-delete',
      phaseRunId,
      requestedBy: requester,
      summary: 'x',
    });
    const [approval] = await test.database.sql<{ id: number }[]>`
      select id from cutover.approvals where phase_run_id = ${phaseRunId}`;
    return { migrationRunId: migration?.id ?? 0, approvalId: approval?.id ?? 0 };
  };

  /** The approval's outcome: the typed word is deliberately wrong, so passing every other check ends on it. */
  const tryApprove = async (approver: SessionUser, approvalId: number) => {
    const result = await act(approveRequest as never, approver, { approvalId, confirm: 'not-the-word' });
    return result.status === 'refused' ? result.reason : result.status;
  };
  const PASSED_THE_RULE = /^Type \S+ to confirm the approval\.$/;

  it('nobody can change their own roles, not even an admin granting themselves operator or approver', async () => {
    const ada = await seed('ada', ['admin']);
    await seed('bea', ['admin']);
    for (const roles of [['admin', 'operator'], ['admin', 'approver'], ['viewer']]) {
      const result = await act(changeUserRoles as never, ada, { username: 'ada', roles });
      expect(result).toEqual({ status: 'refused', reason: SELF_ROLES });
    }
    expect((await as('ada')).roles).toEqual(['admin']);
    // Another admin can.
    const bea = await as('bea');
    expect((await act(changeUserRoles as never, bea, { username: 'ada', roles: ['operator', 'admin'] })).status).toBe(
      'ok',
    );
    expect((await as('ada')).roles).toEqual(['operator', 'admin']);
  });

  it('an approver the requester created within the run cannot approve; one created before the run can', async () => {
    const ada = await seed('ada', ['operator', 'admin']);
    await add(ada, 'early-approver', ['approver']);
    const { approvalId, migrationRunId } = await requestIn('ada');
    const sock = await add(ada, 'ada-second', ['approver']);

    const refused = await tryApprove(sock, approvalId);
    expect(refused).toMatch(
      new RegExp(
        `^Separation of duties: ada-second was created by ada at \\S+, during migration run #${migrationRunId}\\. .*another approver must\\.$`,
      ),
    );
    expect(await tryApprove(await as('early-approver'), approvalId)).toMatch(PASSED_THE_RULE);
  });

  it('re-roling or re-enabling an existing account within the run counts like creating it', async () => {
    const ada = await seed('ada', ['operator', 'admin']);
    await seed('vic', ['viewer']);
    await seed('dora', ['approver']);
    const { approvalId } = await requestIn('ada');
    expect(await tryApprove(await as('dora'), approvalId)).toMatch(PASSED_THE_RULE);

    expect((await act(changeUserRoles as never, ada, { username: 'vic', roles: ['approver'] })).status).toBe('ok');
    expect(await tryApprove(await as('vic'), approvalId)).toMatch(
      /^Separation of duties: vic was given its roles by ada/,
    );

    expect((await act(disableUser as never, ada, { username: 'dora' })).status).toBe('ok');
    expect((await act(enableUser as never, ada, { username: 'dora' })).status).toBe('ok');
    expect(await tryApprove(await as('dora'), approvalId)).toMatch(/^Separation of duties: dora was re-enabled by ada/);
  });

  it('through an invitation and an admin account made in turn, and the other way round', async () => {
    const ada = await seed('ada', ['operator', 'admin']);
    const zed = await seed('zed', ['approver', 'admin']);
    const { approvalId, migrationRunId } = await requestIn('ada');
    // ada makes admin ada-b; ada-b invites carl as approver; carl accepts.
    const adaB = await add(ada, 'ada-b', ['admin']);
    const invited = await act(inviteUser as never, adaB, {
      username: 'carl',
      roles: ['approver'],
      origin: 'http://console.test',
    });
    if (invited.status !== 'ok') throw new Error(JSON.stringify(invited));
    const token = (invited.data as { linkWithToken: string }).linkWithToken.split('/invite/')[1];
    const accepted = await acceptInvitation(test.database, {
      rawInput: { token, password: 'carl-long-password', confirmPassword: 'carl-long-password' },
    });
    expect(accepted.status).toBe('ok');
    expect(await tryApprove(await as('carl'), approvalId)).toMatch(
      /^Separation of duties: carl was created by ada \(through ada-b\) at /,
    );
    // zed, an independent approver, may decide ada's request…
    expect(await tryApprove(zed, approvalId)).toMatch(PASSED_THE_RULE);
    // …but not a request of an operator account zed made within the run.
    await add(zed, 'zed-op', ['operator']);
    const second = await requestIn('zed-op', migrationRunId);
    expect(await tryApprove(zed, second.approvalId)).toMatch(/^Separation of duties: zed-op was created by zed at /);
  });

  /** A migration run started now, before the accounts a test makes within it. */
  const startRun = async (by: string) => {
    const [run] = await test.database.sql<{ id: number }[]>`
      insert into cutover.migration_runs (status, started_by) values ('active', ${by}) returning id`;
    return run?.id ?? 0;
  };

  it('two accounts one admin made within the run are one person: siblings, and cousins through an admin', async () => {
    const ada = await seed('ada', ['admin']);
    const zed = await seed('zed', ['admin']);
    const early = await add(ada, 'early-approver', ['approver']);
    const runId = await startRun('ada');
    await add(ada, 'op', ['operator']);
    const ap = await add(ada, 'ap', ['approver']);
    const adaB = await add(ada, 'ada-b', ['admin']);
    const cousin = await add(adaB, 'ap-cousin', ['approver']);
    const independent = await add(zed, 'ap-zed', ['approver']);
    const { approvalId } = await requestIn('op', runId);

    // Neither made the other, but ada made both.
    expect(await tryApprove(ap, approvalId)).toMatch(
      new RegExp(
        `^Separation of duties: op and ap were both made by ada: op was created by ada at \\S+; ap was created by ada at \\S+, during migration run #${runId}\\. .*another approver must\\.$`,
      ),
    );
    expect(await tryApprove(cousin, approvalId)).toMatch(
      /^Separation of duties: op and ap-cousin were both made by ada: op was created by ada at \S+; ap-cousin was created by ada \(through ada-b\) at /,
    );
    // Made by someone else within the run, or by ada before it: independent.
    expect(await tryApprove(independent, approvalId)).toMatch(PASSED_THE_RULE);
    expect(await tryApprove(early, approvalId)).toMatch(PASSED_THE_RULE);
    // Re-roling within the run links an account made before it, like creating it.
    expect(
      (await act(changeUserRoles as never, ada, { username: 'early-approver', roles: ['approver', 'viewer'] })).status,
    ).toBe('ok');
    expect(await tryApprove(await as('early-approver'), approvalId)).toMatch(
      /^Separation of duties: op and early-approver were both made by ada: .*early-approver was given its roles by ada at /,
    );
  });

  it('break-glass: two accounts the same OS user asked for within the run are one person', async () => {
    const runId = await startRun('ada');
    const host = 'db-host';
    const breakGlassAdd = async (username: string, roles: Role[], osUser: string, confirmer: string) => {
      const pending = await recordPendingBreakGlassChange(test.database.sql, {
        change: { command: 'add', username, roles, passwordHash: 'not-a-hash', reason: 'test', firstAdmin: false },
        migrationRunId: runId,
        requestedBy: { osUser, host },
      });
      const confirmed = await confirmBreakGlassChange(test.database, {
        id: pending.id,
        confirmer: { osUser: confirmer, host },
      });
      expect(confirmed.status, JSON.stringify(confirmed)).toBe('ok');
      return as(username);
    };
    await breakGlassAdd('bg-op', ['operator'], 'bob', 'carol');
    const bgAp = await breakGlassAdd('bg-ap', ['approver'], 'bob', 'carol');
    const carols = await breakGlassAdd('bg-ap-carol', ['approver'], 'carol', 'bob');
    const { approvalId } = await requestIn('bg-op', runId);
    expect(await tryApprove(bgAp, approvalId)).toMatch(
      /^Separation of duties: bg-op and bg-ap were both made by cli:bob@db-host: bg-op was created by cli:bob@db-host at /,
    );
    // The OS user who asked (and typed the password) is the maker; the confirmer is the second person.
    expect(await tryApprove(carols, approvalId)).toMatch(PASSED_THE_RULE);
  });

  it('rejecting follows the same rule: a linked account cannot reject, an independent approver can', async () => {
    const ada = await seed('ada', ['admin']);
    const dora = await seed('dora', ['approver']);
    const runId = await startRun('ada');
    await add(ada, 'op', ['operator']);
    const ap = await add(ada, 'ap', ['approver']);
    const { approvalId } = await requestIn('op', runId);
    const status = async () =>
      (await test.database.sql<{ status: string }[]>`select status from cutover.approvals where id = ${approvalId}`)[0]
        ?.status;

    const linked = await act(rejectRequest as never, ap, { approvalId, reason: 'not today' });
    expect(linked).toEqual({
      status: 'refused',
      reason: expect.stringMatching(/^Separation of duties: op and ap were both made by ada: /),
    });
    expect(await status()).toBe('pending');
    expect((await act(rejectRequest as never, dora, { approvalId, reason: 'not today' })).status).toBe('ok');
    expect(await status()).toBe('rejected');
  });

  it('a decision records who created both accounts and when; the list shows it while pending', async () => {
    const ada = await seed('ada', ['operator', 'admin']);
    await add(ada, 'abe', ['approver']);
    const { approvalId, migrationRunId } = await requestIn('ada');
    const [pending] = await listApprovals(test.database.sql);
    expect(pending?.requesterOrigin).toMatchObject({ username: 'ada', created: { by: null, via: 'unrecorded' } });

    const rejected = await act(rejectRequest as never, await as('abe'), { approvalId, reason: 'not today' });
    expect(rejected.status).toBe('ok');
    const [row] = await test.database.sql<{ requester: AccountOrigin; decider: AccountOrigin }[]>`
      select requester_account as requester, decider_account as decider from cutover.approvals where id = ${approvalId}`;
    expect(row?.requester).toMatchObject({ username: 'ada', created: { via: 'unrecorded', by: null } });
    expect(row?.decider).toMatchObject({
      username: 'abe',
      created: { via: 'console', by: 'ada', roles: ['approver'], at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
      lastChange: null,
    });
    const [listed] = await listApprovals(test.database.sql);
    expect(listed?.deciderOrigin?.created?.by).toBe('ada');
    // As the Approvals page and the report print it.
    expect(describeAccountOrigin(listed?.deciderOrigin)).toMatch(
      /^abe: created by ada \(console\) at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/,
    );
    expect(describeAccountOrigin(listed?.requesterOrigin)).toMatch(/^ada: created at .* UTC \(by whom not recorded\)$/);
    // The Users page shows who made each account.
    const listedUsers = await listUsersForAdmin(test.database.sql, new Date());
    expect(listedUsers.find((u) => u.username === 'abe')).toMatchObject({ createdBy: 'ada', createdVia: 'console' });
    expect(listedUsers.find((u) => u.username === 'ada')).toMatchObject({ createdBy: null, createdVia: 'unrecorded' });
    // The migration report carries the same record.
    const report = await readRunReport(test.database, { migrationRunId });
    expect(report?.phaseRuns[0]?.approval).toMatchObject({
      requesterAccount: { username: 'ada', created: { via: 'unrecorded' } },
      deciderAccount: { username: 'abe', created: { via: 'console', by: 'ada' } },
    });
  });
});
