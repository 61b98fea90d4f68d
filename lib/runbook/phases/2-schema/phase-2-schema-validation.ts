/**
 * Phase 2 — schema validation, read-only. Finds the unique key by its columns (not its name),
 * evaluates every CHECK on source against a synthetic DXY row, and looks for raw/created_at/
 * updated_at, the registry's metadata column and the comparison indexes. When something is missing the phase fails with
 * the list, and "Apply fix" (phase 2-fix) shows and runs the DDL.
 */
import { z } from 'zod';
import { findMissingPipelineTables } from '../../../db/pipeline-tables';
import { definePhase } from '../../engine/define-phase';
import { requireSucceeded } from '../../engine/preconditions';
import { planSchemaFix, readSchemaReport } from './schema-report';

export const phase2SchemaValidation = definePhase({
  id: '2',
  number: 2,
  day: 1,
  estimateMinutes: 10,
  pointOfNoReturn: 'None: it only reads the catalog.',
  stages: [{ id: 'read', title: 'read the catalog' }],
  checkpoint: z.looseObject({}),
  title: 'Schema validation',
  intent: 'Unique key, source CHECK, raw/created_at/updated_at, registry metadata; fix if needed.',
  description:
    'Reads the catalog, changes nothing: a unique key on (canonical_symbol, timeframe, ts_utc) found by its columns; whether ' +
    "every CHECK on source accepts the rows calc_dxy_range_1m writes (source 'synthetic'); columns raw, created_at, updated_at " +
    'on data_bars; the registry column metadata; the partial comparison indexes on DXY 1m that the copy verification ' +
    'and the compare page read. Duplicated keys are reported. If anything is missing, "Apply fix" shows the DDL first.',

  async preconditions(ctx) {
    const missing = await findMissingPipelineTables(ctx.database.sql);
    return [
      await requireSucceeded(ctx, '1', 'Phase 1 (backup) succeeded'),
      { name: 'data_bars present', passed: !missing.includes('data_bars'), detail: missing.join(', ') || 'present' },
    ];
  },

  async preview({ database }) {
    const fix = await planSchemaFix(database.sql);
    return {
      summary: [
        'Read the unique indexes of data_bars and match their key columns.',
        "Evaluate each CHECK mentioning source against a row (DXY, 1m, source 'synthetic').",
        'List missing columns; count duplicated keys when there is no unique key.',
        'Reads only: the catalog (pg_index, pg_constraint, information_schema.columns) and data_bars’ keys.',
        fix.statements.length === 0 && !fix.blockedBy
          ? 'Nothing to fix is expected.'
          : `Expected to report ${fix.statements.length} fix statement(s)${fix.blockedBy ? `; blocked: ${fix.blockedBy}` : ''}.`,
      ],
      // It only reads (pg_index, pg_constraint, information_schema.columns, and duplicated keys when
      // there is no unique key): no statement that writes.
      sql: [],
      statements: [],
      estimates: { 'fix statements needed': fix.statements.length },
    };
  },

  async execute(ctx) {
    const report = await ctx.commitStep(
      (tx) => readSchemaReport(tx),
      (value) => ({ result: { report: value.checks, duplicates: value.duplicates, passed: value.passed } }),
    );
    await ctx.log(
      report.passed ? 'Schema is ready for the new path.' : 'Schema needs fixes; see the report and "Apply fix".',
    );
    return { state: 'done' };
  },

  async verify({ sql }) {
    const report = await readSchemaReport(sql);
    return { passed: report.passed, checks: report.checks };
  },
});
