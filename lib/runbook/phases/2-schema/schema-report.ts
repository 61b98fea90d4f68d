/**
 * Phase 2's read-only report of what the new path needs from the schema, and the DDL that would
 * provide it. The plan is recomputed from the catalog before every statement, so applying it is
 * idempotent and resumes correctly after a crash between statements.
 */
import type { SqlOrTx } from '../../../db/connection';
import type { Check } from '../../engine/verification';
import { createComparisonIndexSql, readComparisonIndexes } from '../shared/comparison-indexes';
import {
  describeExistingDxyRows,
  NORMALIZE_BATCH_ROWS,
  normalizeEarlierAttemptSql,
  previewNormalization,
  readExistingDxyRows,
} from '../shared/earlier-attempt';
import { findBarKey, findDuplicateKeys, readColumns, readSourceChecks } from '../shared/schema-inspection';

export const NEW_UNIQUE_INDEX = 'data_bars_symbol_tf_ts_uidx';
export const NEW_SOURCE_CHECK = 'data_bars_source_check_synthetic';

export interface SchemaReport {
  checks: Check[];
  passed: boolean;
  duplicates: { total: number; samples: unknown[] };
}

export async function readSchemaReport(sql: SqlOrTx): Promise<SchemaReport> {
  const keys = await findBarKey(sql);
  const validKey = keys.find((k) => k.valid);
  const duplicates = validKey ? { total: 0, samples: [] } : await findDuplicateKeys(sql);
  const sourceChecks = await readSourceChecks(sql);
  const blocking = sourceChecks.filter((c) => !c.allowsSynthetic);
  const barColumns = await readColumns(sql, 'data_bars');
  const missingBarColumns = ['raw', 'created_at', 'updated_at'].filter((c) => !barColumns.has(c));
  const registryColumns = await readColumns(sql, 'core_asset_registry_all');
  const comparisonIndexes = await readComparisonIndexes(sql);
  const absentIndexes = comparisonIndexes.filter((i) => i.state !== 'valid');
  const existingDxy = await readExistingDxyRows(sql);
  const notFinal = existingDxy.filter((g) => g.timeframe === '1m').reduce((n, g) => n + g.notFinalForm, 0);
  const checks: Check[] = [
    {
      name: 'Unique key on (canonical_symbol, timeframe, ts_utc)',
      passed: Boolean(validKey),
      detail: validKey
        ? `${validKey.kind} ${validKey.name}`
        : keys.length > 0
          ? `only an INVALID index (${keys.map((k) => k.name).join(', ')}) — a failed concurrent build`
          : duplicates.total > 0
            ? `none, and ${duplicates.total} keys are duplicated: they must be resolved before a unique index can be built`
            : 'none: the upserts of calc_dxy_range_1m need one',
      evidence: { keys, duplicates },
    },
    {
      name: "source allows 'synthetic'",
      passed: blocking.length === 0,
      detail:
        sourceChecks.length === 0
          ? 'no CHECK constrains source'
          : blocking.length === 0
            ? `allowed by ${sourceChecks.map((c) => c.name).join(', ')}`
            : `rejected by ${blocking.map((c) => `${c.name}: ${c.definition}`).join('; ')}`,
      evidence: sourceChecks,
    },
    {
      name: 'Columns raw, created_at, updated_at on data_bars',
      passed: missingBarColumns.length === 0,
      detail: missingBarColumns.length === 0 ? 'present' : `missing: ${missingBarColumns.join(', ')}`,
    },
    {
      name: 'Registry column metadata',
      passed: registryColumns.has('metadata'),
      detail: registryColumns.has('metadata')
        ? 'present'
        : 'missing: the registry update of phase 5 needs core_asset_registry_all.metadata (jsonb)',
    },
    {
      name: 'Comparison indexes on DXY 1m',
      passed: absentIndexes.length === 0,
      detail:
        absentIndexes.length === 0
          ? comparisonIndexes.map((i) => i.index.name).join(', ')
          : `${absentIndexes.map((i) => `${i.index.name} ${i.state}`).join(', ')}: the copy's verification, the compare page and the parity check would read both heaps minute by minute`,
      evidence: comparisonIndexes.map((i) => ({ name: i.index.name, table: i.index.table, state: i.state })),
    },
    {
      name: 'DXY rows already in data_bars are in the final form',
      passed: notFinal === 0,
      detail:
        notFinal === 0
          ? `${describeExistingDxyRows(existingDxy)}; all synthetic with raw.kind 'dxy'`
          : `${notFinal} DXY 1m rows from an earlier attempt are not synthetic with raw.kind 'dxy': ${describeExistingDxyRows(existingDxy)}. ` +
            'The copy never overwrites them; "Apply fix" normalizes them (preview first).',
      evidence: existingDxy,
    },
  ];
  return { checks, passed: checks.every((c) => c.passed), duplicates };
}

export interface FixStatement {
  sql: string;
  why: string;
  /** CREATE/DROP INDEX CONCURRENTLY cannot run inside a transaction block. */
  outsideTransaction: boolean;
  /** Rows the statement changes, as they are now (shown in the preview). */
  samples?: unknown[];
}

/** The DDL that brings the schema to a passing report, in order, from the catalog as it is now. */
export async function planSchemaFix(sql: SqlOrTx): Promise<{ statements: FixStatement[]; blockedBy: string | null }> {
  const statements: FixStatement[] = [];
  let blockedBy: string | null = null;
  const keys = await findBarKey(sql);
  if (!keys.some((k) => k.valid)) {
    for (const invalid of keys) {
      statements.push({
        sql: `DROP INDEX CONCURRENTLY IF EXISTS public.${invalid.name}`,
        why: `${invalid.name} is INVALID (left by a failed concurrent build)`,
        outsideTransaction: true,
      });
    }
    const duplicates = await findDuplicateKeys(sql);
    if (duplicates.total > 0) {
      blockedBy = `${duplicates.total} duplicated (canonical_symbol, timeframe, ts_utc) keys in data_bars; no index is built until they are resolved.`;
    } else {
      statements.push({
        sql: `CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ${NEW_UNIQUE_INDEX} ON public.data_bars (canonical_symbol, timeframe, ts_utc)`,
        why: 'no unique key on the three columns; built CONCURRENTLY so writers are not locked out',
        outsideTransaction: true,
      });
    }
  }

  const sourceChecks = await readSourceChecks(sql);
  const blocking = sourceChecks.filter((c) => !c.allowsSynthetic);
  const [replacement] = await sql<{ validated: boolean }[]>`
    select convalidated as validated from pg_constraint
     where conrelid = 'public.data_bars'::regclass and conname = ${NEW_SOURCE_CHECK}`;
  if (blocking.length > 0) {
    if (!replacement) {
      const present = await sql<{ source: string }[]>`select distinct source from public.data_bars order by 1`;
      const values = [...new Set([...present.map((p) => p.source), 'synthetic'])].sort();
      const list = values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ');
      statements.push({
        sql: `ALTER TABLE public.data_bars ADD CONSTRAINT ${NEW_SOURCE_CHECK} CHECK (source IN (${list})) NOT VALID`,
        why: `the values present (${present.map((p) => p.source).join(', ')}) plus 'synthetic', added NOT VALID first`,
        outsideTransaction: false,
      });
    }
    if (!replacement?.validated) {
      statements.push({
        sql: `ALTER TABLE public.data_bars VALIDATE CONSTRAINT ${NEW_SOURCE_CHECK}`,
        why: 'validated against every existing row before the old CHECK is dropped',
        outsideTransaction: false,
      });
    }
    for (const old of blocking) {
      statements.push({
        sql: `ALTER TABLE public.data_bars DROP CONSTRAINT ${old.name}`,
        why: `the old CHECK rejects 'synthetic' (${old.definition}); dropped only after the new one validated`,
        outsideTransaction: false,
      });
    }
  }

  const barColumns = await readColumns(sql, 'data_bars');
  const columnDdl = {
    raw: "ADD COLUMN IF NOT EXISTS raw jsonb NOT NULL DEFAULT '{}'::jsonb",
    created_at: 'ADD COLUMN IF NOT EXISTS created_at timestamptz NOT NULL DEFAULT now()',
    updated_at: 'ADD COLUMN IF NOT EXISTS updated_at timestamptz NOT NULL DEFAULT now()',
  } as const;
  for (const [column, ddl] of Object.entries(columnDdl)) {
    if (!barColumns.has(column)) {
      statements.push({
        sql: `ALTER TABLE public.data_bars ${ddl}`,
        why: `${column} is missing; a constant default needs no table rewrite`,
        outsideTransaction: false,
      });
    }
  }
  const registryColumns = await readColumns(sql, 'core_asset_registry_all');
  if (!registryColumns.has('metadata')) {
    statements.push({
      sql: "ALTER TABLE public.core_asset_registry_all ADD COLUMN IF NOT EXISTS metadata jsonb NOT NULL DEFAULT '{}'::jsonb",
      why: 'the registry update of phase 5 writes metadata, which production lacks',
      outsideTransaction: false,
    });
  }
  for (const { index, state } of await readComparisonIndexes(sql)) {
    if (state === 'invalid') {
      statements.push({
        sql: `DROP INDEX CONCURRENTLY IF EXISTS public.${index.name}`,
        why: `${index.name} is INVALID (left by a failed concurrent build)`,
        outsideTransaction: true,
      });
    }
    if (state !== 'valid') {
      statements.push({
        sql: createComparisonIndexSql(index),
        why: `minute-by-minute comparisons of ${index.table} read DXY 1m closes from this index alone; built CONCURRENTLY`,
        outsideTransaction: true,
      });
    }
  }
  const normalization = await previewNormalization(sql);
  if (normalization.rows > 0) {
    // The fix adds updated_at before it normalizes: the text previewed is the text that runs.
    const setsUpdatedAt = barColumns.has('updated_at') || statements.some((s) => s.sql.includes(columnDdl.updated_at));
    const sources = Object.entries(normalization.bySource)
      .map(([source, n]) => `${n} '${source}'`)
      .join(', ');
    statements.push({
      sql: normalizeEarlierAttemptSql({ setsUpdatedAt }),
      why:
        `${normalization.rows} DXY 1m rows from an earlier attempt (${sources}) get source 'synthetic' and raw.kind 'dxy' ` +
        `(what they were kept under raw.normalized_from); ${normalization.takesLegacyClose} take the legacy close where it differs, ` +
        `${normalization.withoutLegacyRow} have no legacy row and keep theirs. In batches of ${NORMALIZE_BATCH_ROWS}, each committed with its checkpoint; ` +
        'the phase 1 backup holds them as they were.',
      outsideTransaction: false,
      samples: normalization.samples,
    });
  }
  return { statements, blockedBy };
}
