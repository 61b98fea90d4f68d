/**
 * A run writes only what its preview listed (docs/phases.md "Statements and stages"). Three
 * throw-away phases write to a table of this test's own: one through ctx.exec with a previewed
 * text (it runs, and the log says which statement ran), one through ctx.exec with a text its
 * preview does not list (refused before it reaches the database), and one around ctx.exec
 * (the driver's recording connection sees it, and the driver's check fails).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MIDWEEK_NOW } from '../../../test-support/test-world';
import { useTestWorld } from '../../../test-support/world-database';
import { connectDatabase } from '../../db/connection';
import { fixedClock } from '../../market/clock';
import { PHASES } from '../phases';
import { runbookConfigFromEnv } from './config';
import { definePhase } from './define-phase';
import { createPhaseRegistry } from './phase-registry';
import { previewedStatementsOf } from './previewed-statements';
import { getPhaseRun, listPhaseRunEvents } from './run-state';
import { bound, planned } from './statements';
import type { PhaseDefinition } from './types';

const PREVIEWED = 'INSERT INTO public.data_agg_state_probe (n) VALUES ($1)';
const NOT_PREVIEWED = 'INSERT INTO public.data_agg_state_probe (n) VALUES ($1 + 1000)';

function writingPhase(id: string, write: 'previewed' | 'unpreviewed' | 'around'): PhaseDefinition {
  return definePhase({
    id,
    number: Number(id),
    day: 3,
    estimateMinutes: 1,
    title: `Writes (${write})`,
    intent: 'Exists only in previewed-statements.test.ts.',
    pointOfNoReturn: 'Its one step.',
    stages: [{ id: 'write', title: 'insert one row' }],
    checkpoint: z.looseObject({ done: z.boolean().optional() }),
    opensMigrationRun: true,
    description: 'Inserts one row.',
    async preconditions() {
      return [];
    },
    async preview() {
      return {
        summary: ['Insert one row'],
        sql: [],
        statements: [planned('write', PREVIEWED, ['the phase number'])],
        estimates: {},
      };
    },
    async execute(ctx) {
      if (ctx.run.checkpoint.done) return { state: 'done' };
      await ctx.commitStep(
        async (tx) => {
          if (write === 'around') await tx.unsafe(PREVIEWED.replace('$1', '$1 + 2000'), [Number(id)]);
          else await ctx.exec(tx, bound(write === 'previewed' ? PREVIEWED : NOT_PREVIEWED, [Number(id)]));
        },
        () => ({ checkpoint: { done: true } }),
      );
      return { state: 'continue' };
    },
    async verify() {
      return { passed: true, checks: [] };
    },
  });
}

const registry = createPhaseRegistry<PhaseDefinition>([
  ...PHASES.all,
  writingPhase('21', 'previewed'),
  writingPhase('22', 'unpreviewed'),
  writingPhase('23', 'around'),
]);

describe('a run writes only the statements its preview lists', () => {
  // The world's driver advances runs through a recording connection and checks each finished run.
  const test = useTestWorld({ variant: 'plan', now: MIDWEEK_NOW }, { phases: registry });
  beforeAll(async () => {
    await test.database.sql`create table public.data_agg_state_probe (n int not null)`;
  });

  const rows = async () =>
    (await test.database.sql<{ n: number }[]>`select n from public.data_agg_state_probe order by n`).map((r) => r.n);
  const abandon = (runId: number) =>
    test.database.sql`update cutover.migration_runs set status = 'abandoned', closed_at = now()
                       where id = (select migration_run_id from cutover.phase_runs where id = ${runId})`;

  it('runs a previewed statement and notes in the log which one it was', async () => {
    const runId = await test.driver.start('21');
    const run = await test.driver.finish(runId);
    expect(run.status).toBe('succeeded');
    expect(await rows()).toEqual([21]);
    const messages = (await listPhaseRunEvents(test.database.sql, { phaseRunId: runId })).map((e) => e.message);
    expect(messages).toContain('May run only the 1 statement of its preview');
    expect(messages).toContain('Ran statement 1 of 1 of the preview (insert one row)');
    expect(test.driver.writesOf(runId).map((w) => w.text)).toEqual([PREVIEWED]);
    await abandon(runId);
  });

  it('refuses a statement its preview does not list, before it reaches the database', async () => {
    const runId = await test.driver.start('22');
    const run = await test.driver.finish(runId);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/Refused to run a statement that is not in this run’s preview/);
    expect(await rows()).toEqual([21]);
    expect(test.driver.writesOf(runId)).toEqual([]);
    await abandon(runId);
  });

  it('keeps a run’s list per database: another database’s run of the same number gets its own', async () => {
    // A run left unfinished (a paused run, a lost lease) keeps its list in the process. Keyed by the run's id
    // alone, the next database's run #N took it, and its log lines went to the first database.
    const runId = await test.driver.start('21');
    const run = await getPhaseRun(test.database.sql, { id: runId });
    if (!run) throw new Error('no run');
    const other = connectDatabase(test.url, { max: 1 });
    try {
      const params = {
        clock: fixedClock(MIDWEEK_NOW),
        config: runbookConfigFromEnv({}),
        phase: registry.find('21'),
        run,
      };
      const first = await previewedStatementsOf({ ...params, database: test.database });
      expect(await previewedStatementsOf({ ...params, database: test.database })).toBe(first);
      expect(await previewedStatementsOf({ ...params, database: other })).not.toBe(first);
      const lists = (await listPhaseRunEvents(test.database.sql, { phaseRunId: runId })).filter((e) =>
        e.message.startsWith('May run only'),
      );
      expect(lists).toHaveLength(2);
    } finally {
      await other.close();
    }
    expect((await test.driver.finish(runId)).status).toBe('succeeded');
    await abandon(runId);
    // Its row again; the next test counts the table's rows.
    expect(await rows()).toEqual([21, 21]);
    await test.database.sql`delete from public.data_agg_state_probe
                             where ctid = (select min(ctid) from public.data_agg_state_probe where n = 21)`;
  });

  it('catches, in the driver’s check, a write that went around ctx.exec', async () => {
    const runId = await test.driver.start('23');
    await expect(test.driver.finish(runId)).rejects.toThrow(/wrote statements its preview does not list/);
    expect((await getPhaseRun(test.database.sql, { id: runId }))?.status).toBe('succeeded');
    expect(await rows()).toEqual([21, 2023]);
  });
});
