import { describe, expect, it } from 'vitest';
import { MIDWEEK_NOW } from '../../test-support/test-world';
import { useTestWorld } from '../../test-support/world-database';
import { waiveFailedHour } from '../monitor/waive-hour-action';
import { approveRequest, rejectRequest } from '../runbook/actions/decide-approval';
import { setRehearsalWorkersPaused } from '../runbook/actions/pause-rehearsal-workers';
import { pausePhaseRun, resumePhaseRun } from '../runbook/actions/pause-resume';
import { startPhaseRun } from '../runbook/actions/start-phase-run';
import { type ActionSpec, executeAction } from './action';
import { signIn } from './login';
import { ROLES, type Role } from './roles';
import type { SessionUser } from './sessions';
import {
  addUserWithOneTimePassword,
  changeUserRoles,
  disableUser,
  enableUser,
  inviteUser,
  revokeInvitation,
} from './user-admin';

/** Every server action, the roles it admits, and an input that passes validation. */
const ACTIONS: { spec: ActionSpec<never, unknown>; allowed: Role[]; input: Record<string, unknown> }[] = [
  { spec: setRehearsalWorkersPaused as never, allowed: ['operator'], input: { paused: 'false' } },
  { spec: startPhaseRun as never, allowed: ['operator'], input: { phase: '3' } },
  { spec: pausePhaseRun as never, allowed: ['operator'], input: {} },
  { spec: resumePhaseRun as never, allowed: ['operator'], input: {} },
  { spec: approveRequest as never, allowed: ['approver'], input: { approvalId: 999, confirm: 'DXY' } },
  { spec: rejectRequest as never, allowed: ['approver'], input: { approvalId: 999, reason: 'not now' } },
  { spec: waiveFailedHour as never, allowed: ['approver'], input: { snapshotId: 999, reason: 'understood outage' } },
  // Only an admin manages users: an operator cannot make a second account to approve their own request.
  {
    spec: addUserWithOneTimePassword as never,
    allowed: ['admin'],
    input: { username: 'matrix-new', roles: ['approver'] },
  },
  { spec: inviteUser as never, allowed: ['admin'], input: { username: 'matrix-invited', roles: ['approver'] } },
  { spec: revokeInvitation as never, allowed: ['admin'], input: { invitationId: 999 } },
  { spec: changeUserRoles as never, allowed: ['admin'], input: { username: 'matrix-operator', roles: ['approver'] } },
  { spec: disableUser as never, allowed: ['admin'], input: { username: 'matrix-nobody' } },
  { spec: enableUser as never, allowed: ['admin'], input: { username: 'matrix-nobody' } },
];

const INJECTIONS = [
  "'; DROP TABLE cutover.users; --",
  "' OR '1'='1",
  '"; DELETE FROM public.data_bars; --',
  "1; UPDATE cutover.users SET roles = '{admin}'",
  "') ; SELECT pg_sleep(10); --",
  '$$; DROP SCHEMA cutover CASCADE; $$',
  "\\'; TRUNCATE public.derived_data_bars; --",
  '<script>alert(1)</script>',
  "admin'--",
  '%27%20OR%201%3D1',
];

describe('authorization: every action × every role', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 1 });

  for (const { spec, allowed, input } of ACTIONS) {
    for (const role of ROLES) {
      const admitted = allowed.includes(role);
      it(`${spec.name} by ${role}: ${admitted ? 'admitted' : 'refused and audited'}`, async () => {
        const user: SessionUser = { id: 1, username: `matrix-${role}`, roles: [role], sessionId: 's' };
        const result = await executeAction(spec, { database: test.database, user, rawInput: input });
        const refusedForRole = result.status === 'refused' && /Requires role/.test(result.reason);
        expect(refusedForRole).toBe(!admitted);
        const [audit] = await test.database.sql<{ outcome: string }[]>`
          select outcome from cutover.audit_events where action = ${spec.name} and username = ${user.username} order by id desc limit 1`;
        expect(audit?.outcome).toBe(result.status === 'ok' ? 'ok' : result.status);
      });
    }
  }

  it('stores injection strings in free-text fields literally and executes none of them', async () => {
    const approver: SessionUser = { id: 2, username: 'matrix-approver', roles: ['approver'], sessionId: 's' };
    const [migration] = await test.database.sql<{ id: number }[]>`
      insert into cutover.migration_runs (status, started_by) values ('active', 'someone-else') returning id`;
    for (const text of INJECTIONS) {
      const [run] = await test.database.sql<{ id: string }[]>`
        insert into cutover.phase_runs (migration_run_id, phase, status, requested_by)
        values (${migration?.id as number}, '9', 'awaiting-approval', 'someone-else') returning id::text`;
      const [request] = await test.database.sql<{ id: number }[]>`
        insert into cutover.approvals (kind, phase_run_id, requested_by, summary, status)
        values ('soft-delete', ${run?.id as string}, 'someone-else', 'test', 'pending') returning id`;
      const result = await executeAction(rejectRequest, {
        database: test.database,
        user: approver,
        rawInput: { approvalId: request?.id, reason: text },
      });
      expect(result.status, JSON.stringify(result)).toBe('ok');
      const [stored] = await test.database
        .sql`select reason from cutover.approvals where id = ${request?.id as number}`;
      expect(stored?.reason).toBe(text.trim());
      const signInResult = await signIn(test.database, { username: text, password: text, ip: '127.0.0.9' });
      expect(signInResult.status).toBe('failed');
    }
    const [counts] = await test.database.sql<{ users: number; bars: number; derived: number }[]>`
      select (select count(*)::int from cutover.users) as users,
             (select count(*)::int from public.data_bars) as bars,
             (select count(*)::int from public.derived_data_bars) as derived`;
    expect(counts?.bars).toBeGreaterThan(1000);
    expect(counts?.derived).toBeGreaterThan(100);
    // The sign-ins were audited, but a username that is no account's only as its length (lib/auth/login.ts):
    // the caller's text never reaches the audit log, injection or not.
    const audits = await test.database.sql<{ username: string | null; inputs: { usernameLength?: number } }[]>`
      select username, inputs from cutover.audit_events where action = 'auth.sign_in' and outcome = 'refused'`;
    expect(audits.map((a) => a.inputs.usernameLength)).toEqual(expect.arrayContaining([INJECTIONS[0]?.length]));
    expect(audits.every((a) => a.username === null)).toBe(true);
  });

  it('refuses oversized free text instead of storing megabytes', async () => {
    const approver: SessionUser = { id: 2, username: 'matrix-approver', roles: ['approver'], sessionId: 's' };
    const result = await executeAction(rejectRequest, {
      database: test.database,
      user: approver,
      rawInput: { approvalId: 1, reason: 'x'.repeat(1_000_000) },
    });
    expect(result.status).toBe('invalid');
  });
});
