/**
 * The fence on legacy DXY writes (docs/phases.md "The fence on legacy writes"). From phase 9's
 * switch to mode final until the rollback, a BEFORE INSERT OR UPDATE row trigger on
 * public.derived_data_bars skips every write that would leave an active legacy DXY 1m row
 * (canonical_symbol 'DXY', timeframe '1m', deleted_at IS NULL) and records it in
 * cutover.legacy_fence_refusals: no writer — the deployed workers, a second tick-factory, a cron,
 * a forgotten script calling calc_dxy_range_derived — can re-create what phase 9 soft-deletes.
 * Soft-deleting (deleted_at set) and every other symbol or timeframe pass untouched.
 *
 * The row is skipped (RETURN NULL) with a WARNING rather than refused with an error: an error
 * would roll back the refusal's record with the write (production's calc_dxy_range_derived even
 * catches it and answers success:false), and the refusals are what phase 9 shows.
 *
 * Every statement here is planned (./statements.ts) under the stage that runs it; installing
 * verifies itself inside its transaction (a trial insert in a savepoint, rolled back), so a fence
 * that would not refuse is never committed.
 */
import type { SqlOrTx } from '../../../db/connection';
import { inRolledBackTransaction } from '../../engine/rolled-back';
import { type BoundStatement, bound, type PlannedStatement, planned } from '../../engine/statements';
import type { Check } from '../../engine/verification';
import { quoteIdent } from './function-privileges';
import { FENCE_FUNCTION, FENCE_TRIGGER, type FenceState, fenceProblems, readFenceState } from './legacy-fence-state';

export { FENCE_FUNCTION, FENCE_TRIGGER };

/** Supabase's roles (docs/domain.md "Production as it really is"): EXECUTE is revoked from those that exist. */
const API_ROLES = ['anon', 'authenticated', 'service_role'] as const;

/**
 * current_user inside a SECURITY DEFINER function is its owner, so the writer's role is read from
 * the `role` setting (what SET ROLE chose — PostgREST's service_role), else the session's login.
 */
export const CREATE_FENCE_FUNCTION_SQL = `CREATE OR REPLACE FUNCTION ${FENCE_FUNCTION}() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_role text := coalesce(nullif(current_setting('role', true), 'none'), session_user);
  v_application text := nullif(current_setting('application_name', true), '');
BEGIN
  INSERT INTO cutover.legacy_fence_refusals (writer_role, session_role, application_name, client_addr, op, ts_utc, source)
  VALUES (v_role, session_user, v_application, inet_client_addr(), TG_OP, NEW.ts_utc, NEW.source);
  RAISE WARNING 'cutover fence: % of legacy DXY 1m minute % by role % (application %) refused; DXY 1m is written to public.data_bars since phase 9',
    TG_OP, NEW.ts_utc, v_role, coalesce(v_application, '-');
  RETURN NULL;
END
$fn$`;

export const REVOKE_FENCE_FUNCTION_SQL = `REVOKE ALL ON FUNCTION ${FENCE_FUNCTION}() FROM PUBLIC`;

function revokeFromRolesSql(roles: readonly string[]): string {
  return `REVOKE ALL ON FUNCTION ${FENCE_FUNCTION}() FROM ${roles.map(quoteIdent).join(', ')}`;
}

export const CREATE_FENCE_TRIGGER_SQL = `CREATE OR REPLACE TRIGGER ${FENCE_TRIGGER}
  BEFORE INSERT OR UPDATE ON public.derived_data_bars
  FOR EACH ROW
  WHEN (NEW.canonical_symbol = 'DXY' AND NEW.timeframe = '1m' AND NEW.deleted_at IS NULL)
  EXECUTE FUNCTION ${FENCE_FUNCTION}()`;

/** Fires also where session_replication_role = replica (a restore, a logical replication apply). */
export const ENABLE_FENCE_ALWAYS_SQL = `ALTER TABLE public.derived_data_bars ENABLE ALWAYS TRIGGER ${FENCE_TRIGGER}`;

/** The fence's own test: a legacy row at $1 that must be skipped (run in a savepoint, rolled back). */
export const FENCE_TRIAL_SQL = `INSERT INTO public.derived_data_bars (canonical_symbol, timeframe, ts_utc, open, high, low, close, vol,
                                      is_partial, source, ingested_at, raw)
VALUES ('DXY', '1m', $1, 100, 100, 100, 100, 0, false, 'dxy', $2, jsonb_build_object('kind', 'dxy', 'fence_trial', true))
RETURNING id`;
/** A minute no bar has: should the fence fail, the trial row meets no active row (and is rolled back anyway). */
export const FENCE_TRIAL_MINUTE = new Date('1970-01-01T00:00:00Z');

export const DROP_FENCE_TRIGGER_SQL = `DROP TRIGGER IF EXISTS ${FENCE_TRIGGER} ON public.derived_data_bars`;
export const DROP_FENCE_FUNCTION_SQL = `DROP FUNCTION IF EXISTS ${FENCE_FUNCTION}()`;

async function existingApiRoles(sql: SqlOrTx): Promise<string[]> {
  const rows = await sql<{ rolname: string }[]>`
    select rolname from pg_roles where rolname in ${sql([...API_ROLES])} order by rolname`;
  return rows.map((r) => r.rolname);
}

/** What installing the fence runs, in order (phase 9's stage `stage`). */
export async function planFenceInstall(sql: SqlOrTx, stage: string): Promise<PlannedStatement[]> {
  const roles = await existingApiRoles(sql);
  return [
    planned(stage, CREATE_FENCE_FUNCTION_SQL),
    planned(stage, REVOKE_FENCE_FUNCTION_SQL),
    ...(roles.length > 0 ? [planned(stage, revokeFromRolesSql(roles))] : []),
    planned(stage, CREATE_FENCE_TRIGGER_SQL),
    planned(stage, ENABLE_FENCE_ALWAYS_SQL),
    planned(stage, FENCE_TRIAL_SQL, [
      `${FENCE_TRIAL_MINUTE.toISOString()} (a minute no bar has; in a savepoint, rolled back)`,
      'the clock at the trial',
    ]),
  ];
}

/** What removing the fence runs (the rollback's stage `stage`, before any legacy row is restored). */
export function planFenceRemoval(stage: string): PlannedStatement[] {
  return [planned(stage, DROP_FENCE_TRIGGER_SQL), planned(stage, DROP_FENCE_FUNCTION_SQL)];
}

type Exec = (tx: SqlOrTx, statement: BoundStatement) => Promise<{ rows: object[]; count: number }>;

/**
 * Before installing or removing: the console's role must own derived_data_bars (a trigger is
 * created and dropped by its table's owner), and a trigger of the fence's name must be the fence.
 */
export async function inspectFenceSite(sql: SqlOrTx): Promise<void> {
  const [table] = await sql<{ owner: string; ours: boolean; me: string }[]>`
    select pg_get_userbyid(c.relowner) as owner, pg_has_role(current_user, c.relowner, 'USAGE') as ours, current_user as me
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relname = 'derived_data_bars' and c.relkind in ('r', 'p')`;
  if (!table) throw new Error('public.derived_data_bars not found: there is nothing to fence.');
  if (!table.ours)
    throw new Error(
      `The console's role ${table.me} does not own public.derived_data_bars (owner ${table.owner}): it cannot install or remove ` +
        'the fence on legacy writes. Run the console as the owner (or a member of it). Nothing was changed.',
    );
  const [other] = await sql<{ calls: string }[]>`
    select t.tgfoid::regprocedure::text as calls from pg_trigger t
     where t.tgrelid = 'public.derived_data_bars'::regclass and t.tgname = ${FENCE_TRIGGER}
       and t.tgfoid is distinct from to_regprocedure(${`${FENCE_FUNCTION}()`})`;
  if (other)
    throw new Error(
      `public.derived_data_bars already has a trigger named ${FENCE_TRIGGER} that calls ${other.calls}, not the fence's ` +
        `${FENCE_FUNCTION}(): it is not the console's, so it is neither replaced nor dropped. Rename it. Nothing was changed.`,
    );
}

/** Phase 9's precondition: the fence can be installed here (inspectFenceSite, as a check). */
export async function fenceSiteCheck(sql: SqlOrTx): Promise<Check> {
  const name =
    'The console can fence legacy DXY writes (owns derived_data_bars; the fence’s trigger name is free or its own)';
  try {
    await inspectFenceSite(sql);
    return { name, passed: true, detail: `trigger ${FENCE_TRIGGER} can be installed on public.derived_data_bars` };
  } catch (error) {
    return { name, passed: false, detail: (error as Error).message };
  }
}

/** The trial: a legacy insert in a savepoint must write no row and leave one refusal; both rolled back. */
export async function tryFence(
  sql: SqlOrTx,
  exec: Exec,
  at: Date,
): Promise<{ refused: boolean; recorded: boolean; detail: string }> {
  return inRolledBackTransaction(sql, async (tx) => {
    const count = async () => {
      const [row] = await tx<{ n: number }[]>`
        select count(*)::int as n from cutover.legacy_fence_refusals where ts_utc = ${FENCE_TRIAL_MINUTE}`;
      return row?.n ?? 0;
    };
    const before = await count();
    const inserted = await exec(tx, bound(FENCE_TRIAL_SQL, [FENCE_TRIAL_MINUTE, at]));
    const recorded = (await count()) - before;
    return {
      refused: inserted.count === 0,
      recorded: recorded === 1,
      detail:
        `a trial legacy insert (rolled back) wrote ${inserted.count} rows and left ${recorded} refusal records` +
        (inserted.count === 0 && recorded === 1 ? '' : ' (expected 0 rows and 1 record)'),
    };
  });
}

/**
 * Installs the fence in `tx` and proves it there before the caller commits: present, enabled
 * always, SECURITY DEFINER with a pinned search_path, executable by no other role, and a trial
 * insert refused and recorded. Idempotent (a re-run replaces its own fence).
 */
export async function installFence(tx: SqlOrTx, exec: Exec, params: { at: Date }): Promise<FenceState> {
  await inspectFenceSite(tx);
  const roles = await existingApiRoles(tx);
  await exec(tx, bound(CREATE_FENCE_FUNCTION_SQL));
  await exec(tx, bound(REVOKE_FENCE_FUNCTION_SQL));
  if (roles.length > 0) await exec(tx, bound(revokeFromRolesSql(roles)));
  await exec(tx, bound(CREATE_FENCE_TRIGGER_SQL));
  await exec(tx, bound(ENABLE_FENCE_ALWAYS_SQL));
  const state = await readFenceState(tx);
  const problems = fenceProblems(state);
  const trial = await tryFence(tx, exec, params.at);
  if (!trial.refused || !trial.recorded) problems.push(trial.detail);
  if (problems.length > 0)
    throw new Error(
      `The fence on legacy DXY writes did not hold before its commit (${problems.join('; ')}); it was rolled back.`,
    );
  return state;
}

/** Removes the fence in `tx` and proves it gone before the caller commits. */
export async function removeFence(tx: SqlOrTx, exec: Exec): Promise<{ wasPresent: boolean }> {
  const before = await readFenceState(tx);
  const wasPresent = before.trigger !== null || before.functionPresent;
  if (wasPresent) await inspectFenceSite(tx);
  await exec(tx, bound(DROP_FENCE_TRIGGER_SQL));
  await exec(tx, bound(DROP_FENCE_FUNCTION_SQL));
  const after = await readFenceState(tx);
  if (after.trigger !== null || after.functionPresent)
    throw new Error('The fence on legacy DXY writes is still there after dropping it; nothing was committed.');
  return { wasPresent };
}
