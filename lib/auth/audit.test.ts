import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test-support/world-database';
import { listActionAuditEvents, recordAudit } from './audit';

describe('listActionAuditEvents', () => {
  const test = useTestDatabase();

  it('lists the actions of a period, oldest first, without sign-ins, in the fields and order the report shows', async () => {
    const { sql } = test.database;
    const [start] = await sql<{ now: Date }[]>`select clock_timestamp() as now`;
    if (!start) throw new Error('no clock');
    const first = await recordAudit(sql, {
      userId: 3,
      username: 'op',
      action: 'runbook.start',
      outcome: 'ok',
      inputs: { phase: '1' },
      detail: { runId: 9 },
    });
    // A moment after the first row (`at` keeps microseconds, a Date only milliseconds: one more
    // millisecond is past it), and the next rows written only once the database's clock has passed it.
    const [written] = await sql<{ at: Date }[]>`select at from cutover.audit_events where id = ${first}`;
    if (!written) throw new Error('first row missing');
    const between = new Date(written.at.getTime() + 1);
    while (!(await sql<{ past: boolean }[]>`select clock_timestamp() > ${between} as past`)[0]?.past) {}
    await recordAudit(sql, { userId: 3, username: 'op', action: 'auth.sign_in', outcome: 'ok' });
    const third = await recordAudit(sql, { userId: null, username: null, action: 'runbook.pause', outcome: 'refused' });

    const listed = await listActionAuditEvents(sql, { from: start.now, until: null, limit: 10 });
    expect(listed.map((e) => e.id)).toEqual([first, third]);
    expect(Object.keys(listed[0] ?? {})).toEqual(['id', 'at', 'username', 'action', 'outcome', 'inputs', 'detail']);
    expect(listed[0]).toMatchObject({
      username: 'op',
      action: 'runbook.start',
      outcome: 'ok',
      inputs: { phase: '1' },
      detail: { runId: 9 },
    });
    expect(listed[0]?.at).toBeInstanceOf(Date);
    expect(listed[1]).toMatchObject({ username: null, inputs: {}, detail: {} });

    expect((await listActionAuditEvents(sql, { from: start.now, until: null, limit: 1 })).map((e) => e.id)).toEqual([
      first,
    ]);
    // A closed period ends at `until`.
    expect((await listActionAuditEvents(sql, { from: start.now, until: between, limit: 10 })).map((e) => e.id)).toEqual(
      [first],
    );
    expect(
      await listActionAuditEvents(sql, { from: new Date(Date.now() + 3_600_000), until: null, limit: 10 }),
    ).toEqual([]);
  });
});
