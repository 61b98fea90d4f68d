/**
 * Phase 9's verification: zero active legacy DXY 1m rows after the hold, every soft-deleted row recorded for the
 * rollback and checked by its batch over all attempts (coverage by counts: the batches proved their rows before their
 * commits), the minutes the live writer can still reach re-checked, workers final, the fence present and refusing,
 * and DXY still arriving in data_bars.
 */
import type { PhaseContext } from '../../engine/types';
import type { Check, Verification } from '../../engine/verification';
import { workerModeVerdict } from '../../worker-control/worker-mode-check';
import { tryFence } from '../shared/legacy-fence';
import {
  fenceProblems,
  readFenceHistory,
  readFenceRefusals,
  readFenceState,
  refusalsFinding,
} from '../shared/legacy-fence-state';
import { waiverOf } from './final-proof';
import { bloatFinding } from './soft-delete-bloat';
import type { SoftDeleteCheckpoint } from './soft-delete-checkpoint';
import { coverageCheck, readSoftDeleteCoverage } from './soft-delete-coverage';
import { changedSinceCheck, recheckSinceBatches } from './soft-delete-recheck';
import { HOLD_MINUTES } from './soft-delete-timing';

export async function verifySoftDelete(ctx: PhaseContext): Promise<Verification> {
  const checkpoint = ctx.run.checkpoint as SoftDeleteCheckpoint;
  const run = ctx.run.migrationRunId;
  const [remaining] = await ctx.sql<{ n: number; samples: string[] | null }[]>`
    select count(*)::int as n, (array_agg(ts_utc::text order by ts_utc))[1:5] as samples from public.derived_data_bars
     where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null`;
  // Coverage, over every attempt of this migration run, by counts (soft-delete-coverage.ts): each batch proved its rows
  // before its commit, so this proves only that the batches cover every soft-delete, and re-checks what changed since.
  const coverage = await readSoftDeleteCoverage(ctx.sql, { migrationRunId: run });
  const changed = await recheckSinceBatches(ctx.sql, {
    migrationRunId: run,
    from: coverage.firstBatchAt,
    waived: waiverOf(ctx.run.options)?.minutes ?? [],
  });
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
    coverageCheck(coverage, checkpoint.deletedRows ?? 0),
    changedSinceCheck(changed),
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
