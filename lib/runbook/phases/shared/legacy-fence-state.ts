/**
 * What the fence on legacy DXY writes (./legacy-fence.ts) looks like in the catalog, and the
 * writes it refused: read for the checks before its commit, phase 9's verification, the
 * rollback's proof that it is gone, and phase 9's page.
 */
import type { SqlOrTx } from '../../../db/connection';
import type { Check } from '../../engine/verification';

export const FENCE_TRIGGER = 'cutover_legacy_dxy_fence';
export const FENCE_FUNCTION = 'cutover.refuse_legacy_dxy_write';
const TRIGGER = FENCE_TRIGGER;
const FUNCTION = `${FENCE_FUNCTION}()`;
/** pg_trigger.tgtype bits: ROW 1 | BEFORE 2 | INSERT 4 | UPDATE 16 (and not DELETE 8 / TRUNCATE 32). */
const ROW_BEFORE_INSERT_UPDATE = 1 | 2 | 4 | 16;

export interface FenceState {
  /** The trigger of the fence's name on public.derived_data_bars, whatever it calls. */
  trigger: {
    /** pg_trigger.tgenabled: A = always, O = origin (not on replicas), D = disabled, R = replica only. */
    enabled: string;
    callsFence: boolean;
    beforeInsertOrUpdateRow: boolean;
    definition: string;
  } | null;
  functionPresent: boolean;
  securityDefiner: boolean;
  config: string[];
  /** Roles other than superusers and the function's owner (or its members) that may execute it. */
  executableBy: string[];
}

export async function readFenceState(sql: SqlOrTx): Promise<FenceState> {
  const [trigger] = await sql<
    { enabled: string; calls_fence: boolean; tgtype: number; definition: string }[]
  >`select t.tgenabled::text as enabled, t.tgfoid = to_regprocedure(${FUNCTION}) as calls_fence, t.tgtype::int as tgtype,
           pg_get_triggerdef(t.oid) as definition
      from pg_trigger t
     where t.tgrelid = to_regclass('public.derived_data_bars') and t.tgname = ${TRIGGER} and not t.tgisinternal`;
  const [fn] = await sql<{ secdef: boolean; config: string[] | null; executable_by: string[] }[]>`
    select p.prosecdef as secdef, p.proconfig as config,
           coalesce((select array_agg(r.rolname order by r.rolname) from pg_roles r
                      where not r.rolsuper and not pg_has_role(r.oid, p.proowner, 'USAGE')
                        and has_function_privilege(r.oid, p.oid, 'EXECUTE')), '{}') as executable_by
      from pg_proc p where p.oid = to_regprocedure(${FUNCTION})`;
  return {
    trigger: trigger
      ? {
          enabled: trigger.enabled,
          callsFence: trigger.calls_fence === true,
          beforeInsertOrUpdateRow: trigger.tgtype === ROW_BEFORE_INSERT_UPDATE,
          definition: trigger.definition,
        }
      : null,
    functionPresent: Boolean(fn),
    securityDefiner: fn?.secdef ?? false,
    config: fn?.config ?? [],
    executableBy: fn?.executable_by ?? [],
  };
}

/** What keeps the fence from holding; empty when it is in place as installed. */
export function fenceProblems(state: FenceState): string[] {
  const problems: string[] = [];
  if (!state.trigger) problems.push(`no trigger ${TRIGGER} on public.derived_data_bars`);
  else {
    if (!state.trigger.callsFence) problems.push(`trigger ${TRIGGER} does not call ${FUNCTION}`);
    if (!state.trigger.beforeInsertOrUpdateRow)
      problems.push(`trigger ${TRIGGER} is not BEFORE INSERT OR UPDATE FOR EACH ROW`);
    if (state.trigger.enabled !== 'A')
      problems.push(
        `trigger ${TRIGGER} is ${state.trigger.enabled === 'D' ? 'DISABLED' : `enabled as '${state.trigger.enabled}', not ALWAYS`}`,
      );
  }
  if (!state.functionPresent) problems.push(`no function ${FUNCTION}`);
  else {
    if (!state.securityDefiner) problems.push(`${FUNCTION} is not SECURITY DEFINER`);
    if (!state.config.some((c) => c.startsWith('search_path='))) problems.push(`${FUNCTION} has no pinned search_path`);
    if (state.executableBy.length > 0) problems.push(`${FUNCTION} is executable by ${state.executableBy.join(', ')}`);
  }
  return problems;
}

/** The rollback's check: neither the fence's trigger nor its function is left (`removedAt`: when it came down). */
export function noFenceCheck(state: FenceState, removedAt: string | undefined): Check {
  const gone = state.trigger === null && !state.functionPresent;
  return {
    name: 'No fence on legacy DXY writes (phase 9’s trigger and function gone)',
    passed: gone,
    detail: gone
      ? removedAt
        ? `removed at ${removedAt}, before the first legacy row was restored`
        : 'there was none (phase 9 had not fenced legacy writes)'
      : `still there: ${[state.trigger ? `trigger ${state.trigger.definition}` : '', state.functionPresent ? `function ${FUNCTION}` : ''].filter(Boolean).join(' and ')}`,
  };
}

export interface FenceRefusal {
  refusedAt: Date;
  writerRole: string;
  sessionRole: string;
  applicationName: string | null;
  clientAddr: string | null;
  op: string;
  tsUtc: Date;
  source: string | null;
}

/** Refusals recorded since `since` (database time), newest first, at most `limit`; and their count. */
export async function readFenceRefusals(
  sql: SqlOrTx,
  params: { since: Date; limit?: number },
): Promise<{ total: number; rows: FenceRefusal[] }> {
  const limit = params.limit ?? 50;
  const [count] = await sql<{ n: number }[]>`
    select count(*)::int as n from cutover.legacy_fence_refusals where refused_at >= ${params.since}`;
  const rows = await sql<
    {
      refused_at: Date;
      writer_role: string;
      session_role: string;
      application_name: string | null;
      client_addr: string | null;
      op: string;
      ts_utc: Date;
      source: string | null;
    }[]
  >`select refused_at, writer_role, session_role, application_name, host(client_addr) as client_addr, op, ts_utc, source
      from cutover.legacy_fence_refusals where refused_at >= ${params.since}
     order by refused_at desc, id desc limit ${limit}`;
  return {
    total: count?.n ?? 0,
    rows: rows.map((r) => ({
      refusedAt: r.refused_at,
      writerRole: r.writer_role,
      sessionRole: r.session_role,
      applicationName: r.application_name,
      clientAddr: r.client_addr,
      op: r.op,
      tsUtc: r.ts_utc,
      source: r.source,
    })),
  };
}

export type FenceRefusalJson = LegacyFencePanelData['refusals'][number];

function refusalJson(r: FenceRefusal): FenceRefusalJson {
  return {
    refusedAt: r.refusedAt.toISOString(),
    role: r.writerRole,
    session: r.sessionRole,
    application: r.applicationName,
    client: r.clientAddr,
    op: r.op,
    minute: r.tsUtc.toISOString(),
  };
}

/** "service_role via authenticator, application tick-factory-2 from 10.0.0.7: 3 writes" — who keeps trying. */
export function describeWriters(rows: readonly FenceRefusal[]): string {
  const writers = new Map<string, number>();
  for (const r of rows) {
    const who =
      `${r.writerRole}${r.sessionRole !== r.writerRole ? ` via ${r.sessionRole}` : ''}` +
      `, application ${r.applicationName ?? '—'}${r.clientAddr ? ` from ${r.clientAddr}` : ''}`;
    writers.set(who, (writers.get(who) ?? 0) + 1);
  }
  return [...writers].map(([who, n]) => `${who}: ${n}`).join('; ');
}

/**
 * The refusals since the fence was installed, as a finding (it reports, never fails): a writer
 * the deployment does not control is still trying, and this is how to find it.
 */
export function refusalsFinding(refusals: { total: number; rows: FenceRefusal[] }, since: Date): Check {
  return {
    name: 'Legacy DXY writes the fence refused',
    passed: true,
    kind: 'finding',
    detail:
      refusals.total === 0
        ? `none since ${since.toISOString()}`
        : `${refusals.total} since ${since.toISOString()} — a writer still tries to write legacy DXY 1m; find and stop it ` +
          `(latest ${refusals.rows.length}: ${describeWriters(refusals.rows)})`,
    evidence: { total: refusals.total, refusals: refusals.rows.map(refusalJson) },
  };
}

/** When this migration run's phase 9 first installed the fence, and when its rollback removed it (run checkpoints). */
export async function readFenceHistory(
  sql: SqlOrTx,
  params: { migrationRunId: number },
): Promise<{ installedAt: Date | null; installedAtDb: Date | null; removedAt: Date | null }> {
  const [row] = await sql<{ installed_at: string | null; installed_at_db: string | null; removed_at: string | null }[]>`
    select min(checkpoint->>'fenceInstalledAt') filter (where phase = '9') as installed_at,
           min(checkpoint->>'fenceInstalledAtDb') filter (where phase = '9') as installed_at_db,
           max(checkpoint->>'fenceRemovedAt') filter (where phase = 'rollback') as removed_at
      from cutover.phase_runs where migration_run_id = ${params.migrationRunId}`;
  const date = (v: string | null | undefined) => (v ? new Date(v) : null);
  return {
    installedAt: date(row?.installed_at),
    installedAtDb: date(row?.installed_at_db),
    removedAt: date(row?.removed_at),
  };
}

/** What phase 9's page shows of the fence: when it went up (and came down), whether it holds, what it refused. */
export interface LegacyFencePanelData {
  installedAt: string | null;
  removedAt: string | null;
  present: boolean;
  problems: string[];
  total: number;
  refusals: {
    refusedAt: string;
    role: string;
    session: string;
    application: string | null;
    client: string | null;
    op: string;
    minute: string;
  }[];
}

export async function readLegacyFencePanel(
  sql: SqlOrTx,
  params: { migrationRunId: number | null },
): Promise<LegacyFencePanelData | null> {
  if (params.migrationRunId === null) return null;
  const history = await readFenceHistory(sql, { migrationRunId: params.migrationRunId });
  if (!history.installedAtDb) return null;
  const state = await readFenceState(sql);
  const refusals = await readFenceRefusals(sql, { since: history.installedAtDb });
  return {
    installedAt: (history.installedAt ?? history.installedAtDb).toISOString(),
    removedAt: history.removedAt?.toISOString() ?? null,
    present: state.trigger !== null,
    problems: state.trigger === null ? [] : fenceProblems(state),
    total: refusals.total,
    refusals: refusals.rows.map(refusalJson),
  };
}
