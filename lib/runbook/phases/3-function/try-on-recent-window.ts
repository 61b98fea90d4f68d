/**
 * Phase 3's test of the new function: called on the last hour of legacy data inside a transaction that is rolled
 * back, every minute it wrote compared with the legacy value and with the TypeScript formula.
 */
import type { SqlOrTx } from '../../../db/connection';
import { computeDxy, DXY_COMPONENTS, type DxyComponent } from '../../../market/dxy';
import { inRolledBackTransaction } from '../../engine/rolled-back';
import { bound, type StatementExecutor } from '../../engine/statements';
import { REGENERATE_RANGE_SQL } from '../shared/copy-legacy';

export const TEST_WINDOW_MINUTES = 60;
const TOLERANCE = 1e-9;

export interface TestResult {
  window: { from: string; to: string };
  functionResult: Record<string, unknown>;
  minutesCompared: number;
  skippedIncomplete: number;
  maxRelativeDiffLegacy: number;
  maxRelativeDiffFormula: number;
  legacyMismatches: { ts_utc: string; legacy: number; new: number }[];
  formulaMismatches: { ts_utc: string; formula: number; new: number }[];
  missingInNew: string[];
  /** Legacy minutes in the window whose component bars are gone: holes, reported, not failed. */
  legacyWithoutComponents?: string[];
  rolledBack: boolean;
}

export async function testOnRecentWindow(
  sql: SqlOrTx,
  now: Date,
  /** The run's ctx.exec: the call writes (then rolls back), so it is one of the previewed statements. */
  write: StatementExecutor,
): Promise<TestResult> {
  const [last] = await sql<{ ts: Date | null }[]>`
    select max(ts_utc) as ts from public.derived_data_bars
     where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null and ts_utc <= ${now}`;
  if (!last?.ts) throw new Error('No legacy DXY minutes to test against.');
  const to = new Date(last.ts.getTime() + 60_000);
  const from = new Date(to.getTime() - TEST_WINDOW_MINUTES * 60_000);
  const countInWindow = async () => {
    const [row] = await sql<{ n: number }[]>`
      select count(*)::int as n from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
         and ts_utc >= ${from} and ts_utc < ${to}`;
    return row?.n ?? 0;
  };
  const before = await countInWindow();
  const result: Omit<TestResult, 'rolledBack'> = await inRolledBackTransaction(sql, async (tx) => {
    // Judge only the minutes this call wrote (a new row version): rows already there — an earlier
    // attempt's — are phase 2's and phase 4's to judge.
    const versionsBefore = new Map(
      (
        await tx<{ ts_utc: Date; version: string }[]>`
            select ts_utc, xmin::text || ':' || ctid::text as version from public.data_bars
             where canonical_symbol = 'DXY' and timeframe = '1m' and ts_utc >= ${from} and ts_utc < ${to}`
      ).map((r) => [r.ts_utc.getTime(), r.version]),
    );
    const { rows: calls } = (await write(tx, bound(REGENERATE_RANGE_SQL, [from, to]))) as {
      rows: { result: Record<string, unknown> }[];
    };
    const call = calls[0] && { r: calls[0].result };
    const rows = (
      await tx<{ ts_utc: Date; new_close: number; legacy_close: number | null; version: string }[]>`
        select n.ts_utc, n.close as new_close, d.close as legacy_close, n.xmin::text || ':' || n.ctid::text as version
          from public.data_bars n
          left join public.derived_data_bars d on d.canonical_symbol = 'DXY' and d.timeframe = '1m'
               and d.ts_utc = n.ts_utc and d.deleted_at is null
         where n.canonical_symbol = 'DXY' and n.timeframe = '1m' and n.ts_utc >= ${from} and n.ts_utc < ${to}`
    ).map((r) => ({ ...r, written: versionsBefore.get(r.ts_utc.getTime()) !== r.version }));
    const components = await tx<{ ts_utc: Date; symbol: DxyComponent; close: number }[]>`
        select ts_utc, canonical_symbol as symbol, close from public.data_bars
         where timeframe = '1m' and canonical_symbol in ${tx([...DXY_COMPONENTS])} and ts_utc >= ${from} and ts_utc < ${to}`;
    const legacyMinutes = await tx<{ ts_utc: Date }[]>`
        select ts_utc from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
           and deleted_at is null and ts_utc >= ${from} and ts_utc < ${to}`;
    const closes = new Map<number, Partial<Record<DxyComponent, number>>>();
    for (const c of components)
      closes.set(c.ts_utc.getTime(), { ...closes.get(c.ts_utc.getTime()), [c.symbol]: c.close });
    const produced = new Set(rows.map((r) => r.ts_utc.getTime()));
    let maxLegacy = 0;
    let maxFormula = 0;
    const legacyMismatches: TestResult['legacyMismatches'] = [];
    const formulaMismatches: TestResult['formulaMismatches'] = [];
    for (const row of rows.filter((r) => r.written)) {
      const iso = row.ts_utc.toISOString();
      if (row.legacy_close !== null) {
        const diff = Math.abs(row.new_close - row.legacy_close) / Math.abs(row.legacy_close);
        maxLegacy = Math.max(maxLegacy, diff);
        if (diff > TOLERANCE) legacyMismatches.push({ ts_utc: iso, legacy: row.legacy_close, new: row.new_close });
      }
      const formula = computeDxy(closes.get(row.ts_utc.getTime()) ?? {});
      // Kept finite: the result is stored as JSON, where Infinity would become null.
      const diff = formula === null ? 1 : Math.abs(row.new_close - formula) / formula;
      maxFormula = Math.max(maxFormula, diff);
      if (diff > TOLERANCE) formulaMismatches.push({ ts_utc: iso, formula: formula ?? Number.NaN, new: row.new_close });
    }
    return {
      window: { from: from.toISOString(), to: to.toISOString() },
      functionResult: call?.r ?? {},
      minutesCompared: rows.filter((r) => r.written).length,
      skippedIncomplete: Number(call?.r.skipped ?? 0),
      maxRelativeDiffLegacy: maxLegacy,
      maxRelativeDiffFormula: maxFormula,
      legacyMismatches,
      formulaMismatches,
      // A legacy minute whose components are gone is a hole that predates the migration, not a miss.
      missingInNew: legacyMinutes
        .filter((m) => !produced.has(m.ts_utc.getTime()) && computeDxy(closes.get(m.ts_utc.getTime()) ?? {}) !== null)
        .map((m) => m.ts_utc.toISOString()),
      legacyWithoutComponents: legacyMinutes
        .filter((m) => !produced.has(m.ts_utc.getTime()) && computeDxy(closes.get(m.ts_utc.getTime()) ?? {}) === null)
        .map((m) => m.ts_utc.toISOString()),
    };
  });
  return { ...result, rolledBack: (await countInWindow()) === before };
}
