/**
 * The aggregator's 1m→5m function, as phase 5 finds it and replaces it (docs/phases.md, phase 5).
 * Production's function is not the plan's: four arguments, a jsonb result, SECURITY DEFINER with a
 * pinned search_path, called by the workers by name with named arguments. `CREATE OR REPLACE` with
 * another argument list adds an overload (and makes the workers' call ambiguous) and resets
 * SECURITY DEFINER and `SET` to what the new text says. So the replacement is chosen by trying each
 * known definition in a rolled-back transaction and keeping the one that leaves exactly one function
 * with the same identity, result type, owner, configuration and grants; anything else is refused
 * with what was found. CUTOVER_AGGREGATOR_5M_SQL_FILE names a definition of one's own, checked the
 * same way.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import type { Sql, TransactionSql } from 'postgres';
import type { SqlOrTx } from '../db/connection';
import { aggregate1mTo5mWindowSql } from '../market/pipeline/aggregator-sql';
import { readSetting } from '../settings';
import {
  configStatements,
  type FunctionFacts,
  functionAttributeDifferences,
  readFunctionFacts,
} from './function-inspection';

export const AGGREGATOR_5M = 'aggregate_1m_to_5m_window';

export interface ReplacementCandidate {
  label: string;
  sql: string;
}

/** The definitions phase 5 may install: the operator's file alone when given, else the known shapes. */
export function replacementCandidates(env: Record<string, string | undefined> = process.env): ReplacementCandidate[] {
  const file = readSetting('CUTOVER_AGGREGATOR_5M_SQL_FILE', env);
  if (file) return [{ label: `CUTOVER_AGGREGATOR_5M_SQL_FILE (${file})`, sql: readFileSync(file, 'utf8') }];
  return [
    {
      label: 'data_bars-only version of production’s window function',
      sql: aggregate1mTo5mWindowSql('production', 'data_bars_only'),
    },
    {
      label: 'data_bars-only version of the plan’s range function',
      sql: aggregate1mTo5mWindowSql('plan', 'data_bars_only'),
    },
  ];
}

export type ReplacementPlan =
  | {
      ok: true;
      current: FunctionFacts;
      candidate: ReplacementCandidate;
      /** In order: the definition, then the statements giving back SECURITY DEFINER and SET. */
      statements: string[];
    }
  | { ok: false; reason: string; found: FunctionFacts[] };

class RollbackTrial extends Error {}

async function inRolledBackTransaction(sql: SqlOrTx, work: (tx: TransactionSql) => Promise<void>): Promise<void> {
  try {
    if ('savepoint' in sql)
      await sql.savepoint(async (tx) => {
        await work(tx);
        throw new RollbackTrial();
      });
    else
      await (sql as Sql).begin(async (tx) => {
        await work(tx);
        throw new RollbackTrial();
      });
  } catch (error) {
    if (!(error instanceof RollbackTrial)) throw error;
  }
}

function attributeStatements(current: FunctionFacts): string[] {
  return [
    `ALTER FUNCTION public.${current.signature} ${current.securityDefiner ? 'SECURITY DEFINER' : 'SECURITY INVOKER'}`,
    ...configStatements(current.signature, current.config),
  ];
}

interface SharedPlan {
  sql: SqlOrTx;
  env: Record<string, string | undefined>;
  plan: Promise<ReplacementPlan>;
}

const sharedPlans = new AsyncLocalStorage<SharedPlan[]>();

/**
 * Runs `work` as one look at the database: every planAggregatorReplacement inside it on the same
 * handle and settings shares the first one's plan. A phase page evaluates phase 5's preconditions
 * and its preview together, and both plan the replacement; each plan tries every candidate in a
 * transaction of its own, so sharing halves the page's work and both parts show the same finding.
 * Outside such a look (a run's execute in its transaction), each call plans afresh.
 */
export function withOneAggregatorPlan<T>(work: () => Promise<T>): Promise<T> {
  return sharedPlans.run([], work);
}

/**
 * Finds the function the workers call and the definition that replaces it keeping everything but
 * the body. Each candidate is tried in a transaction that is rolled back.
 */
export function planAggregatorReplacement(
  sql: SqlOrTx,
  env: Record<string, string | undefined> = process.env,
): Promise<ReplacementPlan> {
  const shared = sharedPlans.getStore();
  if (!shared) return tryReplacements(sql, env);
  const earlier = shared.find((entry) => entry.sql === sql && entry.env === env);
  if (earlier) return earlier.plan;
  const plan = tryReplacements(sql, env);
  shared.push({ sql, env, plan });
  return plan;
}

async function tryReplacements(sql: SqlOrTx, env: Record<string, string | undefined>): Promise<ReplacementPlan> {
  const found = await readFunctionFacts(sql, [AGGREGATOR_5M]);
  if (found.length === 0) return { ok: false, reason: `public.${AGGREGATOR_5M} does not exist.`, found };
  if (found.length > 1) {
    return {
      ok: false,
      reason:
        `${found.length} overloads of ${AGGREGATOR_5M} exist (${found.map((f) => `${f.signature} → ${f.resultType}`).join('; ')}): ` +
        'the workers’ named call is ambiguous or already resolved to one of them. Find which one the workers call, ' +
        'DROP FUNCTION the others by their exact signature (an earlier attempt may have left one), and re-check.',
      found,
    };
  }
  const current = found[0] as FunctionFacts;
  const [owner] = await sql<{ owns: boolean; me: string }[]>`
    select pg_has_role(current_user, ${current.owner}, 'USAGE') as owns, current_user as me`;
  if (!owner?.owns) {
    return {
      ok: false,
      reason: `The console connects as ${owner?.me}, which is not (a member of) ${current.owner}, the owner of ${current.signature}: only the owner can replace it keeping its grants.`,
      found,
    };
  }
  const tried: string[] = [];
  for (const candidate of replacementCandidates(env)) {
    const statements = [candidate.sql, ...attributeStatements(current)];
    let differences: string[] = [];
    try {
      await inRolledBackTransaction(sql, async (tx) => {
        await tx.unsafe(candidate.sql);
        const after = await readFunctionFacts(tx, [AGGREGATOR_5M]);
        if (after.length !== 1) {
          differences = [`it would leave ${after.length} overloads (${after.map((f) => f.signature).join('; ')})`];
          return;
        }
        for (const statement of attributeStatements(current)) await tx.unsafe(statement);
        const [replaced] = await readFunctionFacts(tx, [AGGREGATOR_5M]);
        differences = functionAttributeDifferences(current, replaced as FunctionFacts);
      });
    } catch (error) {
      differences = [error instanceof Error ? error.message : String(error)];
    }
    if (differences.length === 0) return { ok: true, current, candidate, statements };
    tried.push(`${candidate.label}: ${differences.join('; ')}`);
  }
  return {
    ok: false,
    reason:
      `No known replacement keeps ${current.signature} → ${current.resultType} as it is (${tried.join(' | ')}). ` +
      'Write the data_bars-only definition with exactly this signature and result, point CUTOVER_AGGREGATOR_5M_SQL_FILE at it, and re-check.',
    found,
  };
}

export interface AggregatorProbe {
  /** A 1m bar only in derived_data_bars produced (or counted towards) a 5m bar. */
  readsDerived: boolean;
  /** The positive control: 1m bars only in data_bars produced a 5m bar. */
  readsDataBars: boolean;
  /** What the function returned for each probe, for the evidence. */
  results: { derivedOnly: unknown; dataBarsOnly: unknown };
}

/** How much a call's result says was aggregated: jsonb {stored, source_count} or a count of bars written. */
function aggregatedSomething(result: unknown): boolean {
  if (typeof result === 'number' || typeof result === 'string' || typeof result === 'bigint') return Number(result) > 0;
  if (result && typeof result === 'object') {
    const shaped = result as { stored?: unknown; source_count?: unknown };
    if (typeof shaped.stored === 'boolean' || typeof shaped.source_count === 'number') {
      return shaped.stored === true || Number(shaped.source_count ?? 0) > 0;
    }
  }
  throw new Error(
    `Cannot judge the aggregator's result ${JSON.stringify(result)}: neither a count nor {stored, source_count}.`,
  );
}

/**
 * Behavioural check in a transaction that is rolled back, calling the function as the workers do
 * (by name, named arguments): 1m bars only in derived_data_bars for one probe symbol must produce
 * nothing once the function reads data_bars only, and 1m bars only in data_bars for another must
 * produce a 5m bar — the control that shows the probe can see anything at all.
 */
export async function probeAggregatorInput(sql: SqlOrTx): Promise<AggregatorProbe> {
  const window = new Date('2000-01-03T10:00:00Z');
  const end = new Date(window.getTime() + 300_000);
  let probe: AggregatorProbe | null = null;
  await inRolledBackTransaction(sql, async (tx) => {
    for (let i = 0; i < 5; i++) {
      const at = new Date(window.getTime() + i * 60_000);
      await tx`insert into public.derived_data_bars (canonical_symbol, timeframe, ts_utc, open, high, low, close, vol, source)
               values ('__CUTOVER_PROBE_D__', '1m', ${at}, 1, 1, 1, 1, 0, 'probe')`;
      await tx`insert into public.data_bars (canonical_symbol, timeframe, ts_utc, open, high, low, close, vol, is_partial, source, raw)
               values ('__CUTOVER_PROBE_N__', '1m', ${at}, 1, 1, 1, 1, 0, false, 'synthetic', '{}'::jsonb)`;
    }
    const call = async (symbol: string) => {
      const [row] = await tx<{ r: unknown }[]>`
        select public.aggregate_1m_to_5m_window(p_symbol => ${symbol}, p_from_utc => ${window}, p_to_utc => ${end}) as r`;
      return row?.r;
    };
    const derivedOnly = await call('__CUTOVER_PROBE_D__');
    const dataBarsOnly = await call('__CUTOVER_PROBE_N__');
    probe = {
      readsDerived: aggregatedSomething(derivedOnly),
      readsDataBars: aggregatedSomething(dataBarsOnly),
      results: { derivedOnly, dataBarsOnly },
    };
  });
  if (!probe) throw new Error('The aggregator probe produced no result.');
  return probe;
}
