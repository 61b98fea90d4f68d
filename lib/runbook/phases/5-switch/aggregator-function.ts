/**
 * The aggregator's 1m→5m function, as phase 5 finds it and replaces it (docs/phases.md, phase 5).
 * Production's function is not the plan's: four arguments, a jsonb result, SECURITY DEFINER with a
 * pinned search_path, called by the workers by name with named arguments, storing through a helper
 * of production's own. So the replacement is production's own definition — the one phase 1 backed
 * up (pg_get_functiondef), or the live one before there is a backup — with only its 1m source
 * changed to data_bars (./aggregator-transform.ts), shown to the approver as a diff. It is tried in
 * a rolled-back transaction and kept only when it leaves exactly one function with the same
 * identity, result type, owner, configuration and grants; anything else is refused with what was
 * found. CUTOVER_AGGREGATOR_5M_SQL_FILE names a definition of one's own, checked the same way.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import type { SqlOrTx } from '../../../db/connection';
import { readSetting } from '../../../settings';
import { inRolledBackTransaction, retryOnConcurrentCatalogUpdate } from '../../engine/rolled-back';
import { backedUpFunction, getBackup } from '../shared/backup';
import {
  configStatements,
  type FunctionFacts,
  functionAttributeDifferences,
  readFunctionFacts,
} from '../shared/function-inspection';
import { transformToDataBarsOnly } from './aggregator-transform';
import { unifiedDiff } from './unified-diff';

export const AGGREGATOR_5M = 'aggregate_1m_to_5m_window';

export interface ReplacementCandidate {
  label: string;
  sql: string;
}

/** The definition the replacement is derived from: phase 1's backup, else the live function. */
export interface ReplacementSource {
  label: string;
  definition: string;
}

/** The operator's file, when CUTOVER_AGGREGATOR_5M_SQL_FILE names one. */
function fileCandidate(env: Record<string, string | undefined>): ReplacementCandidate | null {
  const file = readSetting('CUTOVER_AGGREGATOR_5M_SQL_FILE', env);
  return file ? { label: `CUTOVER_AGGREGATOR_5M_SQL_FILE (${file})`, sql: readFileSync(file, 'utf8') } : null;
}

export type ReplacementPlan =
  | {
      ok: true;
      current: FunctionFacts;
      source: ReplacementSource;
      candidate: ReplacementCandidate;
      /** In order: the definition, then the statements giving back SECURITY DEFINER and SET. */
      statements: string[];
      /** Unified diff from the source definition to the candidate, for the approver. */
      diff: string;
      /** Said when the live function already is the replacement (a re-run). */
      note: string | null;
    }
  | { ok: false; reason: string; found: FunctionFacts[] };

function attributeStatements(current: FunctionFacts): string[] {
  return [
    `ALTER FUNCTION public.${current.signature} ${current.securityDefiner ? 'SECURITY DEFINER' : 'SECURITY INVOKER'}`,
    ...configStatements(current.signature, current.config),
  ];
}

interface SharedPlan {
  sql: SqlOrTx;
  env: Record<string, string | undefined>;
  migrationRunId: number | null;
  plan: Promise<ReplacementPlan>;
}

const sharedPlans = new AsyncLocalStorage<SharedPlan[]>();

/**
 * Runs `work` as one look at the database: every planAggregatorReplacement inside it on the same
 * handle, settings and migration run shares the first one's plan. A phase page evaluates phase 5's
 * preconditions and its preview together, and both plan the replacement; each plan tries its
 * candidate in a transaction of its own, so sharing halves the page's work and both parts show the
 * same finding.
 * Outside such a look (a run's execute in its transaction), each call plans afresh.
 */
export function withOneAggregatorPlan<T>(work: () => Promise<T>): Promise<T> {
  return sharedPlans.run([], work);
}

/**
 * Finds the function the workers call and the definition that replaces it keeping everything but
 * the source of its 1m input. The candidate is tried in a transaction that is rolled back.
 * `migrationRunId` selects phase 1's backup to derive it from; without one (before phase 1) the
 * live definition is used.
 */
export function planAggregatorReplacement(
  sql: SqlOrTx,
  env: Record<string, string | undefined> = process.env,
  options: { migrationRunId?: number | null } = {},
): Promise<ReplacementPlan> {
  const migrationRunId = options.migrationRunId ?? null;
  const shared = sharedPlans.getStore();
  if (!shared) return tryReplacement(sql, env, migrationRunId);
  const earlier = shared.find(
    (entry) => entry.sql === sql && entry.env === env && entry.migrationRunId === migrationRunId,
  );
  if (earlier) return earlier.plan;
  const plan = tryReplacement(sql, env, migrationRunId);
  shared.push({ sql, env, migrationRunId, plan });
  return plan;
}

const UNDERSTOOD_ADVICE =
  'Write the data_bars-only definition with exactly this signature and result, point CUTOVER_AGGREGATOR_5M_SQL_FILE at it, and re-check.';

async function tryReplacement(
  sql: SqlOrTx,
  env: Record<string, string | undefined>,
  migrationRunId: number | null,
): Promise<ReplacementPlan> {
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
  const backup = migrationRunId === null ? null : await getBackup(sql, { migrationRunId });
  const saved = backup ? backedUpFunction(backup, AGGREGATOR_5M) : undefined;
  const source: ReplacementSource = saved
    ? { label: `${saved.signature} as phase 1 backed it up (backup #${backup?.id})`, definition: saved.definition }
    : { label: `${current.signature} as it is live (no phase 1 backup yet)`, definition: current.definition };
  const file = fileCandidate(env);
  let candidate: ReplacementCandidate;
  if (file) candidate = file;
  else {
    const transform = transformToDataBarsOnly(source.definition);
    if (!transform.ok)
      return {
        ok: false,
        reason: `The definition of ${source.label} is not understood: ${transform.reason}. ${UNDERSTOOD_ADVICE}`,
        found,
      };
    candidate = {
      label: 'production’s own definition with its derived_data_bars 1m branch removed',
      sql: transform.sql,
    };
  }
  const statements = [candidate.sql, ...attributeStatements(current)];
  let differences: string[] = [];
  const trial: { installed: string | null } = { installed: null };
  try {
    await retryOnConcurrentCatalogUpdate(() =>
      inRolledBackTransaction(sql, async (tx) => {
        await tx.unsafe(candidate.sql);
        const after = await readFunctionFacts(tx, [AGGREGATOR_5M]);
        if (after.length !== 1) {
          differences = [`it would leave ${after.length} overloads (${after.map((f) => f.signature).join('; ')})`];
          return;
        }
        for (const statement of attributeStatements(current)) await tx.unsafe(statement);
        const [replaced] = await readFunctionFacts(tx, [AGGREGATOR_5M]);
        differences = functionAttributeDifferences(current, replaced as FunctionFacts);
        trial.installed = replaced?.definition ?? null;
      }),
    );
  } catch (error) {
    differences = [error instanceof Error ? error.message : String(error)];
  }
  if (differences.length > 0)
    return {
      ok: false,
      reason: `No replacement keeps ${current.signature} → ${current.resultType} as it is (${candidate.label}: ${differences.join('; ')}). ${UNDERSTOOD_ADVICE}`,
      found,
    };
  // A function changed since phase 1 is neither what was backed up nor what this phase installs.
  const alreadyReplaced = trial.installed !== null && current.definition === trial.installed;
  if (!file && saved && current.definition !== saved.definition && !alreadyReplaced)
    return {
      ok: false,
      reason:
        `${current.signature} changed since phase 1 backed it up (backup #${backup?.id}): the live body is neither the backed-up ` +
        'one nor its data_bars-only version. Find out who changed it; re-run phase 1 to back up what is live now, then re-check.',
      found,
    };
  return {
    ok: true,
    current,
    source,
    candidate,
    statements,
    diff: unifiedDiff(source.definition, candidate.sql, { before: source.label, after: candidate.label }),
    note: alreadyReplaced ? 'the live function already is this replacement (re-running replaces it with itself)' : null,
  };
}
