import { describe, expect, it } from 'vitest';
import { renderRunReportHtml } from '../../components/report-html';
import { useTestDatabase } from '../../test-support/world-database';
import { readRunReport } from '../runbook/read/report/read-run-report';
import { recordAudit } from './audit';
import { describeAuditWindow, listActionAuditWindow } from './audit-window';

describe('the audit events a report shows', () => {
  const test = useTestDatabase();

  /** `count` action events (and one sign-in, which reports leave out) written now; their ids. */
  const writeEvents = async (count: number, action: string) => {
    const { sql } = test.database;
    await recordAudit(sql, { userId: null, username: 'op', action: 'auth.sign_in', outcome: 'ok' });
    const ids: number[] = [];
    // A few at a time: each waits for the chain lock anyway, but the round trips overlap.
    for (let n = 0; n < count; n += 8) {
      const batch = Array.from({ length: Math.min(8, count - n) }, (_, i) =>
        recordAudit(sql, { userId: null, username: 'op', action, outcome: 'ok', detail: { n: n + i } }),
      );
      ids.push(...(await Promise.all(batch)));
    }
    return ids.sort((a, b) => a - b);
  };

  it('shows all events that fit, and says so', async () => {
    const [start] = await test.database.sql<{ now: Date }[]>`select clock_timestamp() as now`;
    const ids = await writeEvents(4, 'test.fits');
    const window = await listActionAuditWindow(test.database.sql, {
      from: start?.now ?? new Date(),
      until: null,
      limit: 10,
    });
    expect(window.events.map((e) => e.id)).toEqual(ids);
    expect(window).toMatchObject({ total: 4, omitted: null });
    expect(describeAuditWindow(window)).toBe('Showing 4 of 4 events.');
  });

  it('keeps the oldest and the newest when there are more, and names what it left out and where to read it', async () => {
    const [start] = await test.database.sql<{ now: Date }[]>`select clock_timestamp() as now`;
    const ids = await writeEvents(25, 'test.many');
    const window = await listActionAuditWindow(test.database.sql, {
      from: start?.now ?? new Date(),
      until: null,
      limit: 10,
    });
    expect(window.events.map((e) => e.id)).toEqual([...ids.slice(0, 5), ...ids.slice(-5)]);
    expect(window.total).toBe(25);
    expect(window.omitted).toEqual({ count: 15, firstId: ids[5], lastId: ids[19] });
    expect(describeAuditWindow(window)).toBe(
      `Showing 10 of 25 events: the oldest and the newest; 15 events between #${ids[5]} and #${ids[19]} are left out ` +
        `— the console's Audit page lists them all (/audit?before=${(ids[19] ?? 0) + 1}).`,
    );
  });

  it('a migration report of a run with more than 2,000 events shows the newest and says how many it shows of how many', async () => {
    const [run] = await test.database.sql<{ id: number }[]>`
      insert into cutover.migration_runs (status, started_by, started_at)
      values ('abandoned', 'op', clock_timestamp()) returning id`;
    const ids = await writeEvents(2_100, 'test.night');
    await test.database.sql`update cutover.migration_runs set closed_at = clock_timestamp() where id = ${run?.id ?? 0}`;
    const report = await readRunReport(test.database, { migrationRunId: run?.id ?? 0, withPreviews: false });
    if (!report) throw new Error('no report');
    expect(report.audit).toHaveLength(2_000);
    expect(report.audit.at(-1)?.id).toBe(ids.at(-1));
    expect(report.audit[0]?.id).toBe(ids[0]);
    expect(report.auditShown).toMatchObject({ total: 2_100, omitted: { count: 100 } });
    expect(report.auditShown.description).toMatch(
      /^Showing 2000 of 2100 events: the oldest and the newest; 100 events/,
    );
    // The report as served (HTML, also what `npm run cutover -- report N` prints) says it too.
    const html = await renderRunReportHtml(report);
    expect(html).toContain('Showing 2000 of 2100 events: the oldest and the newest; 100 events between');
    expect(html).toContain('2,000 of 2,100');
  });
});
