import { afterEach, describe, expect, it, vi } from 'vitest';
import { APPROVER, failedChecks, OPERATOR, testUser, VIEWER } from '../../../../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../../../../test-support/test-world';
import { useTestWorld } from '../../../../test-support/world-database';
import { compareDxyByBucket, sampleDxyDifferences } from '../../../monitor/compare-dxy';
import { HOUR_MS } from '../../../time-units';
import { approveRequest } from '../../actions/decide-approval';
import { startPhaseRun } from '../../actions/start-phase-run';
import { getPhaseRun, type PhaseRunRow } from '../../engine/run-state';
import type { PhaseContext } from '../../engine/types';
import { findPhase } from '..';
import { describeDifferences, waiveFinalProof } from '../9-soft-delete/final-proof';
import { reconcileHref, reconcileRangeOf } from './reconcile-range';

/** An operator who may also approve: the two-person rule must still refuse them their own request. */
const REQUESTER = testUser('rita', ['operator', 'approver']);

describe('Reconcile: a minute made to differ by hand and one deleted are found by compare and fixed by two people', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 2 }, { through: ['1', '2-fix', '3', '4', '5', '6', '7'] });
  let range: { from: Date; to: Date };
  let changed: Date;
  let deleted: Date;

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  const sql = () => test.database.sql;
  const options = () => ({ from: range.from.toISOString(), to: range.to.toISOString() });
  const request = (user = REQUESTER, extra: Record<string, unknown> = {}) =>
    test.driver.act(startPhaseRun, user, { phase: 'reconcile', ...options(), confirm: 'RECONCILE', ...extra });
  /** data_bars' DXY rows of the range against legacy, by minute and value. */
  const disagreements = async () => {
    const [row] = await sql()<{ missing: number; differing: number; closes: string }[]>`
      select count(*) filter (where n.ts_utc is null)::int as missing,
             count(*) filter (where n.close is distinct from o.close and n.ts_utc is not null)::int as differing,
             string_agg(n.close::text, ',' order by o.ts_utc) as closes
        from public.derived_data_bars o
        left join public.data_bars n on n.canonical_symbol = 'DXY' and n.timeframe = '1m' and n.ts_utc = o.ts_utc
       where o.canonical_symbol = 'DXY' and o.timeframe = '1m' and o.deleted_at is null
         and o.ts_utc >= ${range.from} and o.ts_utc < ${range.to}`;
    return row;
  };
  const pendingApproval = async (runId: number) => {
    const [approval] = await sql()<{ id: string; kind: string; summary: string }[]>`
      select id::text, kind, summary from cutover.approvals where phase_run_id = ${runId}`;
    return approval;
  };

  it('compare finds the changed and the deleted minute', async () => {
    // An open-market UTC hour a day before the world's end, well behind the live writers (the test
    // session's time zone is not UTC, so the hour is binned, not truncated).
    const [hour] = await sql()<{ at: Date }[]>`
      select date_bin('1 hour', ts_utc, timestamptz '2000-01-01T00:00:00Z') as at from public.derived_data_bars
       where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null and ts_utc < ${new Date(MIDWEEK_NOW.getTime() - 24 * HOUR_MS)}
       group by 1 having count(*) >= 50 order by 1 desc limit 1`;
    if (!hour) throw new Error('the world has no open hour a day back');
    range = { from: hour.at, to: new Date(hour.at.getTime() + HOUR_MS) };
    const minutes = await sql()<{ ts: Date }[]>`
      select ts_utc as ts from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
         and ts_utc >= ${range.from} and ts_utc < ${range.to} order by ts_utc offset 10 limit 2`;
    changed = minutes[0]?.ts as Date;
    deleted = minutes[1]?.ts as Date;
    expect(await disagreements()).toMatchObject({ missing: 0, differing: 0 });
    await sql()`update public.data_bars set close = close * 1.001 where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${changed}`;
    await sql()`delete from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${deleted}`;

    const samples = await sampleDxyDifferences(sql(), range);
    expect(samples.map((s) => [s.tsUtc.toISOString(), s.kind])).toEqual([
      [changed.toISOString(), 'close differs'],
      [deleted.toISOString(), 'missing in data_bars'],
    ]);
    const [bucket] = await compareDxyByBucket(sql(), { ...range, bucket: 'hour' });
    expect(bucket).toMatchObject({ missingInDataBars: 1, closeDiffers: 1 });
  });

  it('refuses an invalid range with a clear error, and changes nothing', async () => {
    const reversed = await test.driver.act(startPhaseRun, REQUESTER, {
      phase: 'reconcile',
      from: range.to.toISOString(),
      to: range.from.toISOString(),
      confirm: 'RECONCILE',
    });
    expect(reversed).toEqual({
      status: 'refused',
      reason: `The range is empty: from (${range.to.toISOString()}) must be before to (${range.from.toISOString()}); to is exclusive.`,
    });
    const future = await request(REQUESTER, { to: new Date(MIDWEEK_NOW.getTime() + 7 * 24 * HOUR_MS).toISOString() });
    expect(future.status).toBe('refused');
    if (future.status === 'refused') expect(future.reason).toMatch(/ends in the future/);
    const malformed = await request(REQUESTER, { from: 'yesterday' });
    expect(malformed.status).toBe('invalid');
    if (malformed.status === 'invalid') expect(malformed.fieldErrors.from?.join()).toMatch(/UTC minute/);
    const unconfirmed = await request(REQUESTER, { confirm: 'yes' });
    expect(unconfirmed.status).toBe('invalid');
    const [runs] = await sql()<
      { n: number }[]
    >`select count(*)::int as n from cutover.phase_runs where phase = 'reconcile'`;
    expect(runs?.n).toBe(0);
    expect(await disagreements()).toMatchObject({ missing: 1, differing: 1 });
  });

  it('refuses over the size limit with the counts, and changes nothing', async () => {
    vi.stubEnv('CUTOVER_RECONCILE_MAX_ROWS', '1');
    const refused = await request();
    expect(refused.status).toBe('refused');
    if (refused.status === 'refused') {
      expect(refused.reason).toMatch(/would write 2 rows .* more than CUTOVER_RECONCILE_MAX_ROWS \(1\)/);
      expect(refused.reason).toMatch(/1 legacy minutes missing in data_bars .* 1 synthetic rows whose close differs/);
      expect(refused.reason).toMatch(/narrow the range/);
    }
    const [runs] = await sql()<
      { n: number }[]
    >`select count(*)::int as n from cutover.phase_runs where phase = 'reconcile'`;
    expect(runs?.n).toBe(0);
    expect(await disagreements()).toMatchObject({ missing: 1, differing: 1 });
  });

  it('shows the counts, the samples with both closes, and the exact statements in its preview', async () => {
    const preview = await findPhase('reconcile').preview({
      database: test.database,
      clock: test.driver.clock,
      config: test.driver.config,
      migrationRunId: null,
      options: options(),
    });
    expect(preview.estimates).toMatchObject({ 'missing in data_bars': 1, 'close differs': 1, 'rows to write': 2 });
    const text = preview.summary.join('\n');
    expect(text).toContain(`${deleted.toISOString()} missing in data_bars: copy legacy close`);
    expect(text).toMatch(new RegExp(`${changed.toISOString()} close differs: data_bars [0-9.]+ → legacy [0-9.]+`));
    expect(text).toMatch(/does not regenerate from components/);
    expect(preview.sql).toHaveLength(3);
    expect(preview.sql[0]).toMatch(/^LOCK TABLE public\.derived_data_bars/);
  });

  it('a limit lowered before the run makes the run fail inside its transaction: nothing is changed', async () => {
    const runId = (await request()).status === 'ok' ? await latestRun() : 0;
    const approval = await pendingApproval(runId);
    expect(
      (await test.driver.act(approveRequest, APPROVER, { approvalId: approval?.id, confirm: 'RECONCILE' })).status,
    ).toBe('ok');
    test.driver.config.reconcileMaxRows = 1;
    try {
      const run = await test.driver.finish(runId);
      expect(run.status).toBe('failed');
      expect(run.error).toMatch(/more than CUTOVER_RECONCILE_MAX_ROWS \(1\).*Nothing was changed; narrow the range/);
    } finally {
      test.driver.config.reconcileMaxRows = 10_000;
    }
    expect(await disagreements()).toMatchObject({ missing: 1, differing: 1 });
  });

  it('a re-count that still finds a difference before the commit rolls everything back', async () => {
    // A writer that puts the old close back whenever the row is updated (an uncontrolled one).
    await sql().unsafe(`create function public.test_keep_close() returns trigger language plpgsql as $$
      begin new.close := old.close; return new; end $$`);
    await sql().unsafe(`create trigger test_keep_close before update on public.data_bars for each row
      when (new.canonical_symbol = 'DXY') execute function public.test_keep_close()`);
    try {
      const runId = (await request()).status === 'ok' ? await latestRun() : 0;
      const approval = await pendingApproval(runId);
      await test.driver.act(approveRequest, APPROVER, { approvalId: approval?.id, confirm: 'RECONCILE' });
      const run = await test.driver.finish(runId);
      expect(run.status).toBe('failed');
      expect(run.error).toMatch(/still found 0 missing and 1 differing minutes .* rolled back, nothing was changed/);
    } finally {
      await sql().unsafe('drop trigger test_keep_close on public.data_bars');
      await sql().unsafe('drop function public.test_keep_close()');
    }
    // The copy of the missing minute was rolled back with it.
    expect(await disagreements()).toMatchObject({ missing: 1, differing: 1 });
  });

  it('requested by an operator, refused to the same person as approver, approved by another: data_bars equals legacy', async () => {
    const requested = await request();
    expect(requested.status).toBe('ok');
    const runId = await latestRun();
    const approval = await pendingApproval(runId);
    expect(approval?.kind).toBe('reconcile');
    expect(approval?.summary).toMatch(/1 legacy minutes missing in data_bars .* 1 synthetic rows whose close differs/);
    const approve = (user: typeof APPROVER, confirm: string) =>
      test.driver.act(approveRequest, user, { approvalId: approval?.id, confirm });
    expect(await approve(REQUESTER, 'RECONCILE')).toEqual({
      status: 'refused',
      reason: 'Two-person rule: you requested this, so someone else must approve it.',
    });
    expect((await approve(VIEWER, 'RECONCILE')).status).toBe('refused');
    expect((await approve(OPERATOR, 'RECONCILE')).status).toBe('refused');
    expect(await approve(APPROVER, 'DXY')).toEqual({
      status: 'refused',
      reason: 'Type RECONCILE to confirm the approval.',
    });
    await test.driver.tick();
    expect(await disagreements()).toMatchObject({ missing: 1, differing: 1 });
    expect((await approve(APPROVER, 'RECONCILE')).status).toBe('ok');

    const run = await test.driver.finish(runId);
    expect(run.status, failedChecks(run)).toBe('succeeded');
    expect(run.result).toMatchObject({ copied: 1, overwritten: 1, notFixed: { otherWriter: 0, noLegacy: 0 } });

    // data_bars equals legacy by value over the range, and compare finds nothing.
    const [legacyCloses] = await sql()<{ closes: string }[]>`
      select string_agg(close::text, ',' order by ts_utc) as closes from public.derived_data_bars
       where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null and ts_utc >= ${range.from} and ts_utc < ${range.to}`;
    expect(await disagreements()).toEqual({ missing: 0, differing: 0, closes: legacyCloses?.closes });
    expect(await sampleDxyDifferences(sql(), range)).toEqual([]);
    const [bucket] = await compareDxyByBucket(sql(), { ...range, bucket: 'hour' });
    expect(bucket).toMatchObject({ missingInDataBars: 0, closeDiffers: 0 });
    const [overwritten] = await sql()<{ raw: Record<string, unknown> }[]>`
      select raw from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${changed}`;
    expect(overwritten?.raw).toMatchObject({ copied_from: 'derived_data_bars', reconciled_by_run: runId });
    expect(overwritten?.raw.close_before).toEqual(expect.any(Number));

    // Exactly the previewed statements ran: each of them (the driver's finish checked none else did).
    const [event] = await sql()<{ keys: string[] }[]>`
      select data->'previewedStatements' as keys from cutover.phase_run_events
       where phase_run_id = ${runId} and data ? 'previewedStatements'`;
    const ran = [...new Set(test.driver.writesOf(runId).map((w) => w.key))];
    expect(ran).toEqual(event?.keys);
    expect(ran).toHaveLength(3);

    // Both people are in the audit log.
    const audit = await sql()<{ username: string; action: string; outcome: string }[]>`
      select username, action, outcome from cutover.audit_events
       where outcome = 'ok' and action in ('runbook.start_phase', 'approvals.approve') order by id desc limit 2`;
    expect(audit).toEqual([
      { username: APPROVER.username, action: 'approvals.approve', outcome: 'ok' },
      { username: REQUESTER.username, action: 'runbook.start_phase', outcome: 'ok' },
    ]);
    const [approvalRow] = await sql()<{ requested_by: string; decided_by: string; status: string }[]>`
      select requested_by, decided_by, status from cutover.approvals where phase_run_id = ${runId}`;
    expect(approvalRow).toEqual({
      requested_by: REQUESTER.username,
      decided_by: APPROVER.username,
      status: 'approved',
    });
  });

  it('is refused when there is nothing left to reconcile', async () => {
    const refused = await request();
    expect(refused.status).toBe('refused');
    if (refused.status === 'refused') expect(refused.reason).toMatch(/^Nothing to reconcile/);
  });

  it('its verification fails when a minute of the range goes missing or differs after the commit', async () => {
    const runId = await latestSucceededRun();
    const run = (await getPhaseRun(sql(), { id: runId })) as PhaseRunRow;
    const verifyNow = () =>
      findPhase('reconcile').verify({
        database: test.database,
        sql: sql(),
        clock: test.driver.clock,
        config: test.driver.config,
        workers: null as unknown as PhaseContext['workers'],
        run,
        log: async () => {},
        commitStep: async () => {
          throw new Error('a verification commits nothing');
        },
        exec: async () => {
          throw new Error('a verification executes no planned statement');
        },
      });
    expect((await verifyNow()).passed).toBe(true);
    await sql()`update public.data_bars set close = close * 1.001 where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${deleted}`;
    await sql()`delete from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${changed}`;
    const verification = await verifyNow();
    expect(verification.passed).toBe(false);
    expect(verification.checks.filter((c) => !c.passed).map((c) => [c.name, c.detail])).toEqual([
      [
        'Every legacy minute of the range is in data_bars',
        expect.stringMatching(/^1 of \d+ active legacy minutes missing/),
      ],
      ['No synthetic row of the range differs from legacy', '1 synthetic rows whose close differs from legacy'],
    ]);
    // A close that is null differs too (not "beyond the tolerance", which a null never is).
    await sql()`update public.data_bars set close = null where canonical_symbol = 'DXY' and timeframe = '1m'
                  and ts_utc = (select ts_utc from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
                                   and ts_utc >= ${range.from} and ts_utc < ${range.to} order by ts_utc offset 20 limit 1)`;
    expect(
      (await verifyNow()).checks.find((c) => c.name === 'No synthetic row of the range differs from legacy')?.detail,
    ).toBe('2 synthetic rows whose close differs from legacy');
  });

  async function latestSucceededRun(): Promise<number> {
    const [row] = await sql()<{ id: number }[]>`
      select id::int from cutover.phase_runs where phase = 'reconcile' and status = 'succeeded' order by id desc limit 1`;
    return row?.id ?? 0;
  }

  async function latestRun(): Promise<number> {
    const [row] = await sql()<{ id: number }[]>`
      select id::int from cutover.phase_runs where phase = 'reconcile' order by id desc limit 1`;
    return row?.id ?? 0;
  }
});

describe('the compare page’s link to Reconcile', () => {
  it('names the range in whole UTC minutes, its end capped at the clock', () => {
    const day = { from: new Date('2026-12-01T00:00:00Z'), to: new Date('2026-12-02T00:00:00Z') };
    expect(reconcileHref(day, new Date('2026-12-01T12:34:56Z'))).toBe(
      '/reconcile?from=2026-12-01T00%3A00Z&to=2026-12-01T12%3A34Z',
    );
    const href = reconcileHref(day, new Date('2026-12-05T00:00:00Z'));
    expect(href).toBe('/reconcile?from=2026-12-01T00%3A00Z&to=2026-12-02T00%3A00Z');
    const params = new URLSearchParams(href.split('?')[1]);
    expect(reconcileRangeOf(Object.fromEntries(params), new Date('2026-12-05T00:00:00Z'))).toEqual({
      ok: true,
      ...day,
    });
  });
});

describe('phase 9 names Reconcile as the way out of a final proof that finds differences', () => {
  it('in the refusal of an approval that cannot waive them', () => {
    const listed = [
      { tsUtc: '2026-12-01T10:00:00.000Z', kind: 'close differs' as const, legacyClose: 100, newClose: 101 },
    ];
    expect(() => waiveFinalProof({ finalProof: { total: 1, listed } }, 2, 'ava')).toThrow(
      'Repair them with Reconcile (its page /reconcile, or npm run cutover -- run reconcile --from 2026-12-01T10:00Z --to 2026-12-01T10:01Z --confirm RECONCILE',
    );
    expect(() => waiveFinalProof({ finalProof: { total: 300, listed } }, 300, 'ava')).toThrow(/Reconcile/);
    expect(describeDifferences(listed)).toContain('2026-12-01T10:00:00.000Z');
  });
});

describe('Reconcile leaves another writer’s rows and minutes with no legacy row as they are, and says so', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 2 }, { through: ['1', '2-fix', '3', '4', '5', '6', '7'] });

  it('copies and overwrites what it may, and reports the rest', async () => {
    const sql = test.database.sql;
    const [hour] = await sql<{ at: Date }[]>`
      select date_bin('1 hour', ts_utc, timestamptz '2000-01-01T00:00:00Z') as at from public.derived_data_bars
       where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null and ts_utc < ${new Date(MIDWEEK_NOW.getTime() - 24 * HOUR_MS)}
       group by 1 having count(*) >= 50 order by 1 desc limit 1`;
    if (!hour) throw new Error('the world has no open hour a day back');
    const range = { from: hour.at, to: new Date(hour.at.getTime() + HOUR_MS) };
    const minutes = (
      await sql<{ ts: Date }[]>`
        select ts_utc as ts from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
           and ts_utc >= ${range.from} and ts_utc < ${range.to} order by ts_utc offset 5 limit 3`
    ).map((m) => m.ts);
    const [synthetic, foreign, orphan] = minutes as [Date, Date, Date];
    // One synthetic row differs (fixed); one row of another source differs (not ours: left as it is);
    // one data_bars minute loses its legacy row (nothing to copy from).
    await sql`update public.data_bars set close = close + 1 where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${synthetic}`;
    const [before] = await sql<{ close: number }[]>`
      update public.data_bars set close = close + 2, source = 'migrated_from_derived'
       where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${foreign} returning close`;
    await sql`delete from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${orphan}`;

    const runId = await test.driver.start('reconcile', REQUESTER, {
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      confirm: 'RECONCILE',
    });
    const [approval] = await sql<{ id: string; summary: string }[]>`
      select id::text, summary from cutover.approvals where phase_run_id = ${runId}`;
    expect(approval?.summary).toMatch(
      /1 synthetic rows whose close differs .* not fixable: 1 differing rows of another writer .* 1 data_bars minutes with no legacy row/,
    );
    expect(
      (await test.driver.act(approveRequest, APPROVER, { approvalId: approval?.id, confirm: 'RECONCILE' })).status,
    ).toBe('ok');
    const run = await test.driver.finish(runId);
    expect(run.status, failedChecks(run)).toBe('succeeded');
    expect(run.result).toMatchObject({ copied: 0, overwritten: 1, notFixed: { otherWriter: 1, noLegacy: 1 } });
    const finding = run.verification?.checks.find((c) => c.name === 'Not fixed by Reconcile');
    expect(finding).toMatchObject({ kind: 'finding', passed: true });
    expect(finding?.detail).toBe(
      '1 differing rows of another writer (not changed), 1 data_bars minutes with no legacy row',
    );
    const [kept] = await sql<{ close: number; source: string }[]>`
      select close, source from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${foreign}`;
    expect(kept).toEqual({ close: before?.close, source: 'migrated_from_derived' });
    const [orphanRow] = await sql<{ n: number }[]>`
      select count(*)::int as n from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${orphan}`;
    expect(orphanRow?.n).toBe(1);
    expect((await sampleDxyDifferences(sql, range)).map((s) => [s.tsUtc.toISOString(), s.kind])).toEqual([
      [foreign.toISOString(), 'close differs'],
      [orphan.toISOString(), 'missing in legacy'],
    ]);
  });
});
