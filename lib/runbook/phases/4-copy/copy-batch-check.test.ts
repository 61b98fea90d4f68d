import { beforeAll, describe, expect, it } from 'vitest';
import { failedChecks } from '../../../../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../../../../test-support/test-world';
import { useTestWorld } from '../../../../test-support/world-database';
import type { PhaseRunRow } from '../../engine/run-state';
import type { CopyCheckpoint } from './copy-checkpoint';
import { compareCopy, copyChecks } from './verify-copy';

/**
 * Phase 4 checks each batch before its commit and then verifies coverage and what changed since
 * (copy-batch-check.ts, verify-copy.ts): a batch that wrote the wrong thing never commits; the
 * final comparison still finds what changed behind a batch that checked clean.
 */
describe('phase 4: each batch checked before its commit, the final verification over what changed since', () => {
  const BATCH = 500;
  const test = useTestWorld(
    { now: MIDWEEK_NOW, days: 2 },
    { config: { copyBatchRows: BATCH }, through: ['1', '2-fix', '3'] },
  );
  const sql = () => test.database.sql;
  let minutes: Date[];
  const check = (run: PhaseRunRow, prefix: string) => run.verification?.checks.find((c) => c.name.startsWith(prefix));
  const dxyRows = async (where: { from?: Date } = {}) => {
    const [row] = await sql()<{ n: number }[]>`
      select count(*)::int as n from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
         and ts_utc >= ${where.from ?? new Date(0)}`;
    return row?.n ?? 0;
  };

  beforeAll(async () => {
    minutes = (
      await sql()<{ ts_utc: Date }[]>`
        select ts_utc from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null
         order by ts_utc`
    ).map((r) => r.ts_utc);
  });

  it('rolls a batch back whole when its copy wrote another close or left a minute out, naming both; a retry resumes there', async () => {
    const thirdBatch = minutes[2 * BATCH] as Date;
    const skewed = minutes[2 * BATCH + 17] as Date;
    const skipped = minutes[2 * BATCH + 30] as Date;
    // A copy statement that writes the wrong thing, as a trigger makes it: one close off by 1 %, one row never written.
    await sql().unsafe(`
      CREATE FUNCTION public.test_skew_copy() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.canonical_symbol = 'DXY' AND NEW.ts_utc = '${skewed.toISOString()}' THEN NEW.close := NEW.close * 1.01; END IF;
        IF NEW.canonical_symbol = 'DXY' AND NEW.ts_utc = '${skipped.toISOString()}' THEN RETURN NULL; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER test_skew_copy BEFORE INSERT ON public.data_bars FOR EACH ROW EXECUTE FUNCTION public.test_skew_copy();`);
    const failed = await test.driver.run('4', { method: 'copy' });
    expect(failed.status).toBe('failed');
    expect(failed.error, failedChecks(failed)).toContain('failed its check before commit and rolled back');
    expect(failed.error).toContain(`1 legacy minutes not in data_bars, e.g. ${skipped.toISOString()}`);
    expect(failed.error).toContain(
      `1 minutes the copy wrote with another close than legacy's, e.g. ${skewed.toISOString()}`,
    );
    // Two batches committed; nothing of the third.
    expect(await dxyRows()).toBe(2 * BATCH);
    expect(await dxyRows({ from: thirdBatch })).toBe(0);
    expect((failed.checkpoint as CopyCheckpoint).cursor).toBe(thirdBatch.toISOString());
    expect((failed.checkpoint as CopyCheckpoint).verified?.batches).toBe(2);

    await sql().unsafe('DROP TRIGGER test_skew_copy ON public.data_bars; DROP FUNCTION public.test_skew_copy();');
    const retried = await test.driver.run('4', { method: 'copy' });
    expect(retried.status, failedChecks(retried)).toBe('succeeded');
    const window = (retried.checkpoint as CopyCheckpoint).verified;
    expect(window?.from).toBe(minutes[0]?.toISOString());
    expect(window?.to).toBe((retried.checkpoint as CopyCheckpoint).cursor);
    // The live workers kept writing (a late minute may still land behind the cursor): every minute there was when
    // the test began, at most those there are now.
    const [legacy] = await sql()<{ n: number }[]>`
      select count(*)::int as n from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
         and deleted_at is null and ts_utc < ${window?.to ?? ''}`;
    expect(window?.legacyRows).toBeGreaterThanOrEqual(minutes.length);
    expect(window?.legacyRows).toBeLessThanOrEqual(legacy?.n ?? 0);
    expect(check(retried, 'Checked batch by batch')?.detail).toMatch(/^\d+ batches checked .* contiguously/);
  });

  it('finds what changed behind clean batches: a revised close in the window, a row out of form outside it', async () => {
    const run = (
      await sql()<{ checkpoint: CopyCheckpoint }[]>`
      select checkpoint from cutover.phase_runs where phase = '4' and status = 'succeeded' order by id desc limit 1`
    )[0];
    const window = run?.checkpoint.verified;
    if (!window || !run.checkpoint.cursor) throw new Error('no checked window');
    const to = new Date(run.checkpoint.cursor);
    const clean = copyChecks(await compareCopy(sql(), { to, window }));
    expect(clean.filter((c) => !c.passed)).toEqual([]);

    // Behind the batches: legacy revises an old minute; an earlier attempt's row sits before the first legacy minute.
    // One in each half of the history (the comparison reads the halves on two connections, copy-differences.ts).
    const revised = minutes[100] as Date;
    const revisedLate = minutes[minutes.length - 200] as Date;
    const before = new Date((minutes[0] as Date).getTime() - 60_000);
    await sql()`update public.derived_data_bars set close = close * 1.02
                 where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null
                   and ts_utc in (${revised}, ${revisedLate})`;
    await sql()`insert into public.data_bars (canonical_symbol, timeframe, ts_utc, open, high, low, close, vol, trade_count,
                                             is_partial, source, ingested_at, raw)
                values ('DXY', '1m', ${before}, 100, 100, 100, 100, 0, 0, false, 'migrated_from_derived', now(), '{}')`;
    const checks = copyChecks(await compareCopy(sql(), { to, window }));
    const sameClose = checks.find((c) => c.name.startsWith('Same close'));
    expect(sameClose?.passed).toBe(false);
    expect(sameClose?.detail).toContain(
      `2 minutes differ, first: ${revised.toISOString()}, ${revisedLate.toISOString()}`,
    );
    const form = checks.find((c) => c.name.startsWith('Every DXY row in data_bars is in the final form'));
    expect(form?.passed).toBe(false);
    expect(form?.detail).toContain(before.toISOString());

    // A window that does not start at the history's beginning is not trusted: every row's form is read again.
    const late = {
      ...window,
      from: (minutes[BATCH] as Date).toISOString(),
      notFinal: { total: 0, byForm: [], samples: [] },
    };
    await sql()`update public.data_bars set source = 'migrated_from_derived'
                 where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc = ${minutes[BATCH + 3] as Date}`;
    const uncovered = copyChecks(await compareCopy(sql(), { to, window: late }));
    expect(uncovered.find((c) => c.name.startsWith('Checked batch by batch'))?.detail).toContain(
      'does not cover the history',
    );
    expect(uncovered.find((c) => c.name.startsWith('Every DXY row'))?.detail).toContain(
      (minutes[BATCH + 3] as Date).toISOString(),
    );
  });

  it('writes a minute once more when legacy changed it between the batch’s write and its check, and commits', async () => {
    // Start again from an empty data_bars, with legacy revising one minute inside a batch's transaction, after the
    // copy wrote it (as a live writer's commit landing between the two statements would).
    await sql()`delete from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m'`;
    const moving = minutes[BATCH + 40] as Date;
    await sql().unsafe(`
      CREATE FUNCTION public.test_revise_during_batch() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.canonical_symbol = 'DXY' AND NEW.ts_utc = '${moving.toISOString()}' THEN
          UPDATE public.derived_data_bars SET close = close * 1.03
           WHERE canonical_symbol = 'DXY' AND timeframe = '1m' AND deleted_at IS NULL AND ts_utc = NEW.ts_utc;
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER test_revise_during_batch AFTER INSERT ON public.data_bars FOR EACH ROW
        EXECUTE FUNCTION public.test_revise_during_batch();`);
    try {
      const run = await test.driver.run('4', { method: 'copy' });
      expect(run.status, failedChecks(run)).toBe('succeeded');
      expect((run.checkpoint as CopyCheckpoint).verified?.rewritten).toBe(1);
      const [row] = await sql()<{ same: boolean }[]>`
        select n.close = d.close as same from public.data_bars n
          join public.derived_data_bars d on d.canonical_symbol = 'DXY' and d.timeframe = '1m' and d.deleted_at is null
                                         and d.ts_utc = n.ts_utc
         where n.canonical_symbol = 'DXY' and n.timeframe = '1m' and n.ts_utc = ${moving}`;
      expect(row?.same).toBe(true);
    } finally {
      await sql().unsafe(
        'DROP TRIGGER test_revise_during_batch ON public.data_bars; DROP FUNCTION public.test_revise_during_batch();',
      );
    }
  });
});
