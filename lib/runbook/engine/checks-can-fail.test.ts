/**
 * Every check can fail (issue 18): each check a review found unable to fail is replaced, and here
 * each is made to fail — phase 1's restore proof of its backup, phase 3 without the worker role,
 * the worker-mode checks with command workers that report no mode, the rollback's "keep" with rows
 * changed behind its back, and the rollback with DXY 5m aggregation dead.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useAlertWebhook } from '../../../test-support/alert-webhook';
import { failedChecks } from '../../../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../../../test-support/test-world';
import { type TestWorld, useTestWorld } from '../../../test-support/world-database';
import { MINUTE_MS } from '../../time-units';
import { proveBackupRestorable } from '../phases/1-preflight/backup-restore-proof';
import { phase3CreateFunction } from '../phases/3-function/phase-3-create-function';
import { phase7Deploy } from '../phases/7-deploy/phase-7-deploy';
import { phase9SoftDelete } from '../phases/9-soft-delete/phase-9-soft-delete';
import { rollbackPhase } from '../phases/rollback/rollback';
import { compareKeptRows, type KeptRowsRecord } from '../phases/rollback/rollback-keep-proof';
import { backupTableName, getBackup } from '../phases/shared/backup';
import { readLegacyPathNotice } from '../phases/shared/legacy-path-proof';
import { commandWorkerControl } from '../worker-control/command-workers';
import type { WorkerControl } from '../worker-control/worker-control';
import { getPhaseRun, type PhaseRunRow } from './run-state';
import { runBound } from './statements';
import type { PhaseContext, PhaseDefinition } from './types';
import type { Check } from './verification';

/** A finished run verified again as the runner would, with the given workers (verify commits nothing). */
async function verifyAgain(
  test: TestWorld,
  phase: PhaseDefinition,
  runId: number,
  workers?: WorkerControl,
  overrides: Partial<PhaseRunRow> = {},
) {
  const run = { ...((await getPhaseRun(test.database.sql, { id: runId })) as PhaseRunRow), ...overrides };
  const ctx: PhaseContext = {
    database: test.database,
    sql: test.database.sql,
    clock: test.driver.clock,
    config: test.driver.config,
    workers: workers ?? commandWorkers('echo mode=legacy'),
    run,
    log: async () => {},
    commitStep: async () => {
      throw new Error('a verification commits nothing');
    },
    // Phase 9's verification tries its fence with a trial insert, in a transaction it rolls back.
    exec: runBound,
  };
  return phase.verify(ctx);
}

function commandWorkers(statusCommand: string): WorkerControl {
  return commandWorkerControl({ deployCommand: 'true', restartCommand: null, statusCommand, timeoutMs: 10_000 });
}

async function runIdOf(test: TestWorld, phase: string): Promise<number> {
  const [row] = await test.database.sql<{ id: number }[]>`
    select id from cutover.phase_runs where phase = ${phase} order by id desc limit 1`;
  return Number(row?.id);
}

describe('phase 1 proves its backup by restoring it into a scratch schema', () => {
  const test = useTestWorld({ variant: 'plan', now: MIDWEEK_NOW, days: 2 }, { through: ['1'], perTest: true });

  const rerun = async () => {
    const run = await test.driver.run('1');
    expect(run.status).toBe('failed');
    return run;
  };
  const migrationRunId = async () =>
    (await getPhaseRun(test.database.sql, { id: await runIdOf(test, '1') }))?.migrationRunId ?? 0;
  const derivedCopy = async () => `cutover.${backupTableName(await migrationRunId(), 'derived_data_bars')}`;

  it('passes on a faithful backup, marks it verified only then, and leaves no scratch schema behind', async () => {
    const run = await getPhaseRun(test.database.sql, { id: await runIdOf(test, '1') });
    expect((await getBackup(test.database.sql, { migrationRunId: await migrationRunId() }))?.verified).toBe(true);
    const restoreChecks = run?.verification?.checks.filter((c) => /restore|re-create/.test(c.name)) ?? [];
    expect(restoreChecks.map((c) => c.name)).toEqual([
      'Backup of public.data_bars restores and matches the live rows by key and value',
      'Backup of public.derived_data_bars restores and matches the live rows by key and value',
      'Backup of the DXY registry row and cursors restores and matches',
      'Saved constraint and index definitions re-create on the restored tables',
      'Saved function definitions re-create identically',
    ]);
    for (const check of restoreChecks) expect(check.passed, `${check.name}: ${check.detail}`).toBe(true);
    const [schemas] = await test.database.sql<{ n: number }[]>`
      select count(*)::int as n from pg_namespace where nspname like 'cutover_restore_check_%'`;
    expect(schemas?.n).toBe(0);
  });

  it('fails naming the minute and the column when a backed-up row’s close was changed', async () => {
    const copy = await derivedCopy();
    const [victim] = await test.database.sql.unsafe<{ id: string; ts_utc: Date }[]>(
      `UPDATE ${copy} SET close = close + 0.5 WHERE id = (SELECT id FROM ${copy} WHERE timeframe = '1m' ORDER BY ts_utc LIMIT 1 OFFSET 40)
       RETURNING id::text, ts_utc`,
    );
    const run = await rerun();
    const check = run.verification?.checks.find((c) => c.name.startsWith('Backup of public.derived_data_bars'));
    expect(check?.passed).toBe(false);
    expect(check?.detail).toContain('0 missing from the backup, 1 differ');
    expect(check?.detail).toContain(
      `id ${victim?.id} 1m at ${victim?.ts_utc.toISOString().replace('.000', '')} differs (close`,
    );
  });

  it('counts a live legacy row revised after the backup apart (updated_at later), and fails on one changed behind it', async () => {
    const { sql } = test.database;
    const backup = await getBackup(sql, { migrationRunId: await migrationRunId() });
    if (!backup) throw new Error('no backup');
    const derived = (checks: Check[]) => checks.find((c) => c.name.startsWith('Backup of public.derived_data_bars'));
    // A provider revision re-derives a legacy minute: the row's trigger moves updated_at past the backup.
    await sql`update public.derived_data_bars set close = close * 1.001
               where id = (select id from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
                           order by ts_utc limit 1 offset 30)`;
    const revised = derived(await proveBackupRestorable(sql, backup));
    expect(revised?.passed, revised?.detail).toBe(true);
    expect(revised?.detail).toContain('0 differ');
    expect(revised?.detail).toContain('1 changed since the backup was taken');
    // The same change with updated_at left before the backup (a writer going around the trigger) is a difference.
    await sql.begin(async (tx) => {
      await tx`alter table public.derived_data_bars disable trigger derived_data_bars_touch_updated_at`;
      await tx`update public.derived_data_bars set close = close * 1.001
                where id = (select id from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
                            order by ts_utc limit 1 offset 31)`;
      await tx`alter table public.derived_data_bars enable trigger derived_data_bars_touch_updated_at`;
    });
    const behind = derived(await proveBackupRestorable(sql, backup));
    expect(behind?.passed).toBe(false);
    expect(behind?.detail).toContain('1 differ');
  });

  it('fails naming the row a backup lost', async () => {
    const copy = await derivedCopy();
    const [victim] = await test.database.sql.unsafe<{ id: string }[]>(
      `DELETE FROM ${copy} WHERE id = (SELECT id FROM ${copy} ORDER BY id LIMIT 1 OFFSET 7) RETURNING id::text`,
    );
    const run = await rerun();
    const check = run.verification?.checks.find((c) => c.name.startsWith('Backup of public.derived_data_bars'));
    expect(check?.passed).toBe(false);
    expect(check?.detail).toContain('1 missing from the backup');
    expect(check?.detail).toContain(`id ${victim?.id} `);
    expect(check?.detail).toContain('missing from the restored backup');
  });

  it('fails naming the function whose saved definition cannot be re-created', async () => {
    const { sql } = test.database;
    const backup = await getBackup(sql, { migrationRunId: await migrationRunId() });
    const index = backup?.functions.findIndex((f) => f.name === 'aggregate_1m_to_5m_window') ?? -1;
    expect(index).toBeGreaterThanOrEqual(0);
    const saved = backup?.functions[index];
    await sql`update cutover.backups set functions = jsonb_set(functions, ${`{${index},definition}`}::text[],
                to_jsonb(left(functions->(${index}::int)->>'definition', length(functions->(${index}::int)->>'definition') / 2)))
              where id = ${Number(backup?.id)}`;
    const run = await rerun();
    const check = run.verification?.checks.find((c) => c.name === 'Saved function definitions re-create identically');
    expect(check?.passed).toBe(false);
    expect(check?.detail).toContain(`${saved?.signature} cannot be re-created`);
  });

  it('fails when the backup copy cannot be restored at all', async () => {
    const { sql } = test.database;
    const backup = await getBackup(sql, { migrationRunId: await migrationRunId() });
    if (!backup) throw new Error('no backup');
    await sql.unsafe(`DROP TABLE cutover.${backupTableName(backup.migrationRunId, 'data_bars')}`);
    const [check] = await proveBackupRestorable(sql, backup);
    expect(check?.passed).toBe(false);
    expect(check?.detail).toMatch(/^cannot be restored: the backup copy .* does not exist/);
    const run = await rerun();
    expect(run.verification?.checks.find((c) => c.name.startsWith('Backup of public.data_bars'))?.detail).toMatch(
      /^cannot be restored: the backup copy .* does not exist/,
    );
  });
});

describe('phase 3 needs the worker role', () => {
  const test = useTestWorld({ variant: 'plan', now: MIDWEEK_NOW, days: 2 }, { through: ['1', '2-fix'], perTest: true });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  const setWorkerRole = (role: string) => {
    vi.stubEnv('CUTOVER_WORKER_ROLE', role);
    test.driver.config.workerRole = role;
  };

  it('refuses to start when the role does not exist (no silent "no GRANT")', async () => {
    setWorkerRole('cutover_absent_worker');
    await expect(test.driver.start('3')).rejects.toThrow(
      /role cutover_absent_worker does not exist: the workers could not call calc_dxy_range_1m/,
    );
  });

  it('fails its verification when the role is gone after the grant', async () => {
    const { sql } = test.database;
    const role = `cutover_test_worker_${process.pid}`;
    await sql.unsafe(`DROP ROLE IF EXISTS ${role}`);
    await sql.unsafe(`CREATE ROLE ${role} NOLOGIN`);
    try {
      setWorkerRole(role);
      const run = await test.driver.run('3');
      expect(run.status, failedChecks(run)).toBe('succeeded');
      const check = (name: string) => run.verification?.checks.find((c) => c.name === name);
      expect(check(`The workers (${role}) can execute calc_dxy_range_1m`)?.passed).toBe(true);

      await sql.unsafe(
        `REVOKE ALL ON FUNCTION public.calc_dxy_range_1m(timestamptz, timestamptz, integer) FROM ${role}`,
      );
      const revoked = await verifyAgain(test, phase3CreateFunction, run.id);
      const workers = revoked.checks.find((c) => c.name === `The workers (${role}) can execute calc_dxy_range_1m`);
      expect(workers).toMatchObject({ passed: false, detail: `${role} may not execute it` });

      await sql.unsafe(`DROP ROLE ${role}`);
      const gone = await verifyAgain(test, phase3CreateFunction, run.id);
      expect(gone.passed).toBe(false);
      expect(gone.checks.find((c) => c.name.startsWith('The workers'))?.detail).toMatch(
        new RegExp(`role ${role} does not exist`),
      );
    } finally {
      await sql.unsafe(`DROP OWNED BY ${role}`).catch(() => {});
      await sql.unsafe(`DROP ROLE IF EXISTS ${role}`);
    }
  });
});

describe('after phase 7: worker modes and the rollback’s "keep"', () => {
  const test = useTestWorld(
    { variant: 'plan', now: MIDWEEK_NOW, days: 2 },
    { through: ['1', '2-fix', '3', '4', '5', '6', '7'] },
  );

  it('phase 7’s worker-mode check fails when the status command prints no mode, or another one', async () => {
    const runId = await runIdOf(test, '7');
    const modeCheck = async (statusCommand: string) =>
      (await verifyAgain(test, phase7Deploy, runId, commandWorkers(statusCommand))).checks.find(
        (c) => c.name === 'Workers report mode dual',
      );
    expect(await modeCheck('echo workers up')).toMatchObject({
      passed: false,
      detail: expect.stringContaining(
        'the worker status command reported no mode= line; cannot prove the workers run mode dual',
      ),
    });
    expect((await modeCheck('echo mode=final'))?.passed).toBe(false);
    expect((await modeCheck('echo mode=dual'))?.passed).toBe(true);
  });

  it('phase 9’s worker-mode check fails the same way (its verification, with command workers)', async () => {
    // Phase 9's own verification over the world as it is; only its worker-mode check is judged here.
    const modeCheck = async (statusCommand: string) =>
      (
        await verifyAgain(test, phase9SoftDelete, await runIdOf(test, '7'), commandWorkers(statusCommand), {
          checkpoint: { deletedAt: test.driver.clock.now().toISOString() },
        })
      ).checks.find((c) => c.name === 'Workers in mode final');
    expect(await modeCheck('true')).toMatchObject({
      passed: false,
      detail: expect.stringContaining('reported no mode= line; cannot prove the workers run mode final'),
    });
    expect((await modeCheck('echo mode=dual'))?.passed).toBe(false);
    expect((await modeCheck('echo mode=final'))?.passed).toBe(true);
  });

  it('"keep" fails when DXY rows in data_bars are removed or changed behind the rollback’s back', async () => {
    const { sql } = test.database;
    const runId = await test.driver.start('rollback', undefined, { data: 'keep', confirm: 'ROLLBACK' });
    await test.driver.tick();
    const started = await getPhaseRun(sql, { id: runId });
    const record = started?.checkpoint.keptAtStart as KeptRowsRecord | undefined;
    expect(record?.rows).toBeGreaterThan(0);
    // Untouched, the record proves the rows kept.
    expect((await compareKeptRows(sql, record)).passed).toBe(true);

    const [gone] = await sql<{ ts_utc: Date }[]>`
      delete from public.data_bars where id = (select id from public.data_bars where canonical_symbol = 'DXY'
                                                 and id <= ${record?.maxId as string} order by ts_utc limit 1 offset 30)
      returning ts_utc`;
    const [changed] = await sql<{ ts_utc: Date }[]>`
      update public.data_bars set close = close * 1.001
       where id = (select id from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
                     and id <= ${record?.maxId as string} order by ts_utc desc limit 1)
      returning ts_utc`;
    const run = await test.driver.finish(runId);
    expect(run.status).toBe('failed');
    const kept = run.verification?.checks.find((c) => c.name.startsWith('DXY rows in data_bars kept'));
    expect(kept?.passed).toBe(false);
    const day = (d: Date | undefined) => d?.toISOString().slice(0, 10);
    expect(kept?.detail).toContain(`1m ${day(gone?.ts_utc)}: `);
    expect(kept?.detail).toMatch(/rows at the start, \d+ of them now/);
    expect(kept?.detail).toContain(`1m ${day(changed?.ts_utc)}: `);
    expect(kept?.detail).toContain('values changed');
    // Everything else of that rollback passed: the tampering is what failed it.
    expect(run.verification?.checks.filter((c) => !c.passed).map((c) => c.name)).toEqual([kept?.name]);

    // The same run, verified with command workers whose status names no mode: the legacy-mode check fails too.
    const withCommand = await verifyAgain(test, rollbackPhase, runId, commandWorkers('echo ok'));
    expect(withCommand.checks.find((c) => c.name === 'Workers back in mode legacy')).toMatchObject({
      passed: false,
      detail: expect.stringContaining('cannot prove the workers run mode legacy'),
    });
    const final = await verifyAgain(test, rollbackPhase, runId, commandWorkers('echo mode=final'));
    expect(final.checks.find((c) => c.name === 'Workers back in mode legacy')?.passed).toBe(false);
  });
});

describe('a rollback with DXY 5m aggregation dead', () => {
  const test = useTestWorld(
    { variant: 'plan', now: MIDWEEK_NOW, days: 2 },
    { through: ['1', '2-fix', '3', '4', '5', '6', '7'] },
  );

  it('does not succeed: legacy minutes alone do not prove the restored path', async () => {
    const { sql } = test.database;
    await sql`update public.data_agg_state set status = 'disabled' where canonical_symbol = 'DXY' and timeframe = '5m'`;
    const run = await test.driver.run('rollback', { data: 'keep', confirm: 'ROLLBACK' });
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/The legacy path wrote \d+ DXY minutes after the switch back, but no DXY 5m bar/);
    // The 1m half of the proof held: only the 5m half failed it.
    const [legacy] = await sql<{ n: number }[]>`
      select count(*)::int as n from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
         and source = 'dxy' and deleted_at is null and ts_utc >= ${new Date(run.checkpoint.deployedAt as string)}`;
    expect(legacy?.n).toBeGreaterThan(0);
    const verification = await verifyAgain(test, rollbackPhase, run.id, commandWorkers('echo mode=legacy'));
    expect(verification.checks.find((c) => c.name === 'DXY 5m produced again by the legacy path')).toMatchObject({
      passed: false,
      detail: expect.stringContaining('the restored aggregation is not producing'),
    });

    // Aggregation back: the same verification passes that check.
    await sql`update public.data_agg_state set status = 'idle' where canonical_symbol = 'DXY' and timeframe = '5m'`;
    for (let i = 0; i < 12; i++) {
      test.driver.clock.advance(60_000);
      await test.driver.tick();
    }
    const revived = await verifyAgain(test, rollbackPhase, run.id, commandWorkers('echo mode=legacy'));
    expect(revived.checks.find((c) => c.name === 'DXY 5m produced again by the legacy path')?.passed).toBe(true);
  });
});

describe('a rollback on a closed market with DXY 5m aggregation dead after the open', () => {
  const FRIDAY_EVENING = new Date('2026-11-27T18:30:00Z');
  const SATURDAY_MORNING = new Date('2026-11-28T10:00:00Z');
  const SUNDAY_OPEN = new Date('2026-11-29T22:00:00Z');
  useAlertWebhook();
  const test = useTestWorld(
    { variant: 'plan', now: FRIDAY_EVENING, days: 3 },
    { through: ['1', '2-fix', '3', '4', '5', '6', '7'] },
  );
  const advanceTo = async (target: Date) => {
    while (test.driver.clock.now() < target) {
      test.driver.clock.advance(Math.min(60 * MINUTE_MS, target.getTime() - test.driver.clock.now().getTime()));
      await test.driver.tick();
    }
  };

  it('is not proven at the open by legacy minutes alone: the pending proof turns silent', async () => {
    const { sql } = test.database;
    await advanceTo(SATURDAY_MORNING);
    const run = await test.driver.run('rollback', { data: 'keep', confirm: 'ROLLBACK' });
    expect(run.status, failedChecks(run)).toBe('succeeded');
    expect(run.verification?.checks.find((c) => c.name.startsWith('DXY 5m produced again'))?.name).toMatch(/PENDING/);
    await sql`update public.data_agg_state set status = 'disabled' where canonical_symbol = 'DXY' and timeframe = '5m'`;
    await advanceTo(new Date(SUNDAY_OPEN.getTime() + 30 * MINUTE_MS));
    const [legacy] = await sql<{ n: number }[]>`
      select count(*)::int as n from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
         and source = 'dxy' and deleted_at is null and ts_utc >= ${SUNDAY_OPEN}`;
    expect(legacy?.n).toBeGreaterThan(0);
    expect(await readLegacyPathNotice(sql)).toMatchObject({ state: 'silent' });
    const [event] = await sql<{ message: string }[]>`
      select message from cutover.phase_run_events where phase_run_id = ${run.id} and level = 'error' order by id desc limit 1`;
    expect(event?.message).toMatch(/^The legacy path is not producing DXY: \d+ legacy minutes and 0 DXY 5m bars/);
  }, 240_000);
});
