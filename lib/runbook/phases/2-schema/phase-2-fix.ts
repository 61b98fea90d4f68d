/**
 * Phase 2's "Apply fix": the DDL that phase 2's report calls for, one statement per step with a
 * lock timeout, recomputed from the catalog before each step (so a crash between statements
 * resumes correctly). Duplicated keys are reported and nothing is built; the unique index is
 * built CONCURRENTLY; a new source CHECK is built from the values present plus 'synthetic',
 * added NOT VALID, validated, and only then replaces the old one.
 */

import { z } from 'zod';
import { definePhase } from '../../engine/define-phase';
import { paceNextBatch } from '../../engine/pacing/pace-next-batch';
import { requireSucceeded } from '../../engine/preconditions';
import { bound, planned } from '../../engine/statements';
import { planSchemaFix, readSchemaReport } from './schema-report';

interface NormalizationSample {
  id: number;
  ts_utc: string;
  source: string;
  close: number;
  legacy_close: number | null;
}

/** The rows a statement will change, one line each, so the operator sees exactly what moves. */
function describeSamples(samples: unknown[] | undefined): string[] {
  return ((samples ?? []) as NormalizationSample[]).map((row) =>
    row.legacy_close === null
      ? `  e.g. id ${row.id} at ${row.ts_utc} ('${row.source}', close ${row.close}): no legacy row, close kept`
      : row.legacy_close === row.close
        ? `  e.g. id ${row.id} at ${row.ts_utc} ('${row.source}', close ${row.close}): source and raw only`
        : `  e.g. id ${row.id} at ${row.ts_utc} ('${row.source}'): close ${row.close} → legacy ${row.legacy_close}`,
  );
}

export const phase2Fix = definePhase({
  id: '2-fix',
  number: 2,
  day: 1,
  estimateMinutes: null,
  pointOfNoReturn:
    'The first fix statement: each DDL step commits on its own (an index built CONCURRENTLY cannot run inside a transaction), so a failure leaves the steps before it in place. Each step is additive and re-checked from the catalog, so a re-run continues.',
  stages: [{ id: 'schema-fix', title: 'one DDL statement at a time' }],
  checkpoint: z.looseObject({ lastStatement: z.string().optional() }),
  title: 'Apply schema fix',
  intent: 'The DDL the schema report lacks, one statement at a time.',
  actionOf: { phase: '2', label: 'Apply fix', previewHeading: 'the DDL it would run now' },
  description:
    'Runs the DDL listed below, one statement at a time with a lock timeout, then re-reads the schema. Nothing is built while ' +
    'duplicated keys exist.',

  async preconditions(ctx) {
    return [await requireSucceeded(ctx, '1', 'Phase 1 (backup) succeeded')];
  },

  async preview({ database }) {
    const plan = await planSchemaFix(database.sql);
    return {
      summary: plan.blockedBy
        ? [`Blocked: ${plan.blockedBy}`, ...plan.statements.map((s) => s.why)]
        : plan.statements.length === 0
          ? ['The schema already passes: nothing to run.']
          : plan.statements.flatMap((s) => [s.why, ...describeSamples(s.samples)]),
      sql: [],
      statements: plan.statements.map((s) => planned('schema-fix', s.sql)),
      estimates: { statements: plan.statements.length },
    };
  },

  async execute(ctx) {
    const { sql, config } = ctx;
    const plan = await planSchemaFix(sql);
    if (plan.blockedBy) {
      const report = await readSchemaReport(sql);
      await ctx.commitStep(
        async () => report.duplicates,
        (duplicates) => ({ result: { blockedBy: plan.blockedBy, duplicates } }),
      );
      throw new Error(plan.blockedBy);
    }
    const next = plan.statements[0];
    if (!next) return { state: 'done' };
    // Gentle with production (engine/pacing): the normalization and each DDL statement wait while the database is busy.
    const paced = await paceNextBatch(ctx, { batchRows: 1 });
    if (paced.wait) return paced.wait;
    await ctx.log(`Running: ${next.sql}`, { why: next.why });
    if (next.outsideTransaction) {
      const connection = await sql.reserve();
      try {
        await connection.unsafe(`SET lock_timeout = ${config.ddlLockTimeoutMs}`);
        await ctx.exec(connection, bound(next.sql));
      } finally {
        await connection.unsafe('RESET lock_timeout').catch(() => {});
        connection.release();
      }
      await ctx.commitStep(
        async () => null,
        () => ({ checkpoint: { lastStatement: next.sql } }),
      );
    } else {
      await ctx.commitStep(
        async (tx) => {
          await tx.unsafe(`SET LOCAL lock_timeout = ${config.ddlLockTimeoutMs}`);
          await ctx.exec(tx, bound(next.sql));
        },
        () => ({ checkpoint: { lastStatement: next.sql } }),
      );
    }
    return { state: 'continue' };
  },

  async verify({ sql }) {
    const report = await readSchemaReport(sql);
    return { passed: report.passed, checks: report.checks };
  },
});
