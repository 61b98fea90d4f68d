/**
 * Reconcile from the CLI, over HTTP with personal API tokens: previewed with its counts and
 * statements, refused for an invalid range, requested by one person and approved by another; the
 * test's runner then runs the approved request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR_MS } from '../lib/time-units';
import { type CliConsole, cliEnvironment, runCli, startCliConsole } from '../test-support/cli-console';
import { failedChecks } from '../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../test-support/test-world';
import { useTestWorld } from '../test-support/world-database';

process.env.CUTOVER_PG_DUMP_DIR = 'off';

describe('npm run cutover -- run reconcile', { timeout: 240_000 }, () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 2 }, { through: ['1', '2-fix', '3', '4'] });
  let console_: CliConsole;
  const env: Record<string, Record<string, string>> = {};
  const cli = (args: string[], who: string) => runCli(args, env[who] as Record<string, string>);
  let from: string;
  let to: string;
  let changed: Date;

  beforeAll(async () => {
    console_ = await startCliConsole(test.database);
    const as = (token: string) => cliEnvironment({ CUTOVER_URL: console_.url, CUTOVER_TOKEN: token });
    env.viewer = as(await console_.userWithToken('rc-viewer', ['viewer']));
    env.both = as(await console_.userWithToken('rc-both', ['operator', 'approver']));
    env.approver = as(await console_.userWithToken('rc-approver', ['approver']));
    // A UTC hour a day back (binned: the test session's time zone is not UTC), one minute changed by hand.
    const [hour] = await test.database.sql<{ at: Date }[]>`
      select date_bin('1 hour', ts_utc, timestamptz '2000-01-01T00:00:00Z') as at from public.data_bars
       where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc < ${new Date(MIDWEEK_NOW.getTime() - 24 * HOUR_MS)}
       group by 1 having count(*) >= 50 order by 1 desc limit 1`;
    if (!hour) throw new Error('the world has no open hour a day back');
    from = `${hour.at.toISOString().slice(0, 16)}Z`;
    to = `${new Date(hour.at.getTime() + HOUR_MS).toISOString().slice(0, 16)}Z`;
    const [row] = await test.database.sql<{ ts: Date }[]>`
      update public.data_bars set close = close * 0.999
       where id = (select id from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
                      and ts_utc >= ${hour.at} order by ts_utc offset 5 limit 1)
      returning ts_utc as ts`;
    changed = row?.ts as Date;
  });
  afterAll(async () => {
    await console_?.close();
  });

  it('previews the counts, the samples and the statements for the range', async () => {
    const result = await cli(['preview', 'reconcile', '--from', from, '--to', to], 'viewer');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /0 legacy minutes missing in data_bars \(copied\), 1 synthetic rows whose close differs/,
    );
    expect(result.stdout).toContain(`${changed.toISOString()} close differs: data_bars`);
    expect(result.stdout).toContain('UPDATE public.data_bars n');
    const phases = await cli(['phases'], 'viewer');
    expect(phases.stdout).toMatch(/run reconcile --from MINUTE --to MINUTE --confirm RECONCILE/);
  });

  it('refuses an invalid range (exit 3) and a malformed minute (exit 2), creating nothing', async () => {
    const reversed = await cli(['run', 'reconcile', '--from', to, '--to', from, '--confirm', 'RECONCILE'], 'both');
    expect(reversed.code, reversed.stdout + reversed.stderr).toBe(3);
    expect(reversed.stdout).toContain('refused: The range is empty');
    const malformed = await cli(['run', 'reconcile', '--from', 'monday', '--to', to, '--confirm', 'RECONCILE'], 'both');
    expect(malformed.code, malformed.stdout + malformed.stderr).toBe(2);
    expect(malformed.stdout).toMatch(/from: From \(UTC minute\): a UTC minute such as/);
    const [runs] = await test.database.sql<{ n: number }[]>`
      select count(*)::int as n from cutover.phase_runs where phase = 'reconcile'`;
    expect(runs?.n).toBe(0);
  });

  it('is requested by one person, refused to them as approver, approved by another, and runs', async () => {
    const requested = await cli(
      ['run', 'reconcile', '--from', from, '--to', to, '--confirm', 'RECONCILE', '--json'],
      'both',
    );
    expect(requested.code, requested.stdout + requested.stderr).toBe(0);
    const body = JSON.parse(requested.stdout) as { data: { runId: number; awaitingApproval: boolean } };
    expect(body.data.awaitingApproval).toBe(true);
    const approvals = JSON.parse((await cli(['approvals', '--json'], 'viewer')).stdout) as {
      id: number;
      kind: string;
      status: string;
    }[];
    const approval = approvals.find((a) => a.kind === 'reconcile' && a.status === 'pending');
    expect(approval).toBeDefined();
    const id = String(approval?.id);
    const own = await cli(['approve', id, '--confirm', 'RECONCILE', '--json'], 'both');
    expect(own.code).toBe(3);
    expect(JSON.parse(own.stdout).reason).toMatch(/^Two-person rule/);
    const approved = await cli(['approve', id, '--confirm', 'RECONCILE'], 'approver');
    expect(approved.code, approved.stdout + approved.stderr).toBe(0);

    const run = await test.driver.finish(body.data.runId);
    expect(run.status, failedChecks(run)).toBe('succeeded');
    const [left] = await test.database.sql<{ n: number }[]>`
      select count(*)::int as n from public.derived_data_bars o
        join public.data_bars n on n.canonical_symbol = 'DXY' and n.timeframe = '1m' and n.ts_utc = o.ts_utc
       where o.canonical_symbol = 'DXY' and o.timeframe = '1m' and o.deleted_at is null and n.close <> o.close
         and o.ts_utc >= ${new Date(from)} and o.ts_utc < ${new Date(to)}`;
    expect(left?.n).toBe(0);
    const audit = await test.database.sql<{ username: string; action: string }[]>`
      select username, action from cutover.audit_events
       where outcome = 'ok' and action in ('runbook.start_phase', 'approvals.approve') and username like 'rc-%' order by id`;
    expect(audit).toEqual([
      { username: 'rc-both', action: 'runbook.start_phase' },
      { username: 'rc-approver', action: 'approvals.approve' },
    ]);
  });
});
