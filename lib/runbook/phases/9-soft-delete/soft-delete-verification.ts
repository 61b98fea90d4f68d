/**
 * Phase 9's verification: zero active legacy DXY 1m rows after the hold, every soft-deleted row recorded for the
 * rollback over all attempts, workers final, the fence present and refusing, and DXY still arriving in data_bars.
 */
import type { PhaseContext } from '../../engine/types';
import type { Check, Verification } from '../../engine/verification';
import { workerModeVerdict } from '../../worker-control/worker-mode-check';
import { backupTableName } from '../shared/backup';
import { tryFence } from '../shared/legacy-fence';
import {
  fenceProblems,
  readFenceHistory,
  readFenceRefusals,
  readFenceState,
  refusalsFinding,
} from '../shared/legacy-fence-state';
import { bloatFinding } from './soft-delete-bloat';
import type { SoftDeleteCheckpoint } from './soft-delete-checkpoint';
import { HOLD_MINUTES } from './soft-delete-timing';

export async function verifySoftDelete(ctx: PhaseContext): Promise<Verification> {
  const checkpoint = ctx.run.checkpoint as SoftDeleteCheckpoint;
  const run = ctx.run.migrationRunId;
  const [remaining] = await ctx.sql<{ n: number; samples: string[] | null }[]>`
    select count(*)::int as n, (array_agg(ts_utc::text order by ts_utc))[1:5] as samples from public.derived_data_bars
     where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null`;
  // Over every attempt of this migration run: each row soft-deleted since the backup is recorded, and each record is deleted.
  const backupCopy = `cutover.${backupTableName(run, 'derived_data_bars')}`;
  const [records] = await ctx.sql.unsafe<{ tagged: number; unrecorded: number; active: number; attempts: number }[]>(
    `SELECT (SELECT count(*)::int FROM cutover.soft_deleted_rows WHERE migration_run_id = $1 AND restored_at IS NULL) AS tagged,
            (SELECT count(*)::int FROM public.derived_data_bars d
              WHERE d.canonical_symbol = 'DXY' AND d.timeframe = '1m' AND d.deleted_at IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM ${backupCopy} b WHERE b.id = d.id AND b.deleted_at IS NOT NULL)
                AND NOT EXISTS (SELECT 1 FROM cutover.soft_deleted_rows s WHERE s.migration_run_id = $1 AND s.derived_id = d.id)) AS unrecorded,
            (SELECT count(*)::int FROM cutover.soft_deleted_rows s JOIN public.derived_data_bars d ON d.id = s.derived_id
              WHERE s.migration_run_id = $1 AND s.restored_at IS NULL AND d.deleted_at IS NULL) AS active,
            (SELECT count(*)::int FROM cutover.phase_runs WHERE migration_run_id = $1 AND phase = '9' AND clock_started_at IS NOT NULL) AS attempts`,
    [run],
  );
  const [fresh] = await ctx.sql<{ n: number }[]>`
    select count(*)::int as n from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
       and ts_utc >= ${new Date(checkpoint.deletedAt as string)}`;
  const status = await ctx.workers.status();
  const fence = await readFenceState(ctx.sql);
  const problems = fenceProblems(fence);
  const trial = await tryFence(ctx.sql, (t, statement) => ctx.exec(t, statement), ctx.clock.now());
  const history = await readFenceHistory(ctx.sql, { migrationRunId: run });
  const fenceSince = history.installedAtDb ?? new Date(checkpoint.fenceInstalledAtDb ?? ctx.clock.now().toISOString());
  const refusals = await readFenceRefusals(ctx.sql, { since: fenceSince });
  const checks: Check[] = [
    {
      name: `Zero active legacy DXY 1m rows, ${HOLD_MINUTES} open-market minutes after the soft-delete`,
      passed: (remaining?.n ?? 0) === 0,
      detail:
        `${remaining?.n ?? 0} active rows at ${ctx.clock.now().toISOString()}` +
        (remaining?.samples?.length ? ` (first: ${remaining.samples.join(', ')})` : ''),
    },
    {
      name: 'Every soft-deleted row recorded for the rollback (all attempts of this migration run)',
      passed: (records?.unrecorded ?? 1) === 0 && (records?.active ?? 1) === 0 && (records?.tagged ?? 0) > 0,
      detail:
        `${records?.tagged ?? 0} rows recorded over ${records?.attempts ?? 0} attempts (${checkpoint.deletedRows ?? 0} by this one); ` +
        `${records?.unrecorded ?? 0} soft-deleted since the backup without a record; ${records?.active ?? 0} recorded but active`,
    },
    {
      name: 'Workers in mode final',
      ...workerModeVerdict(status, 'final'),
    },
    {
      name: 'Fence on legacy DXY writes present and enabled (derived_data_bars)',
      passed: problems.length === 0 && trial.refused && trial.recorded,
      detail:
        problems.length > 0
          ? problems.join('; ')
          : `installed at ${(history.installedAt ?? fenceSince).toISOString()}; trigger enabled ALWAYS, BEFORE INSERT OR UPDATE ` +
            `of active DXY 1m rows; function SECURITY DEFINER with its search_path pinned, executable by no other role; ${trial.detail}`,
      evidence: { trigger: fence.trigger?.definition ?? null, enabled: fence.trigger?.enabled ?? null },
    },
    refusalsFinding(refusals, fenceSince),
    {
      name: 'DXY still arriving in data_bars',
      passed: (fresh?.n ?? 0) > 0,
      detail: `${fresh?.n ?? 0} new DXY minutes in data_bars since the soft-delete (${HOLD_MINUTES} open-market minutes held)`,
    },
    // What the soft-delete leaves for the DBA: the VACUUM it calls for (docs/operations.md "Pacing").
    bloatFinding(ctx.run.result),
  ];
  return { passed: checks.every((c) => c.passed), checks };
}
