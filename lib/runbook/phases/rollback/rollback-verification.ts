/**
 * The rollback's verification: workers in legacy, functions and registry as backed up, the soft-deleted rows
 * back with one active row per key (by coverage: each restore batch proved its rows before its commit), no legacy gap in the minutes the migration touched, data_bars' DXY rows kept
 * (proven by key and value) or returned to the backup, and the legacy path producing again (or pending until the
 * open).
 */
import { readDataFrontier } from '../../../market/data-frontier';
import { DXY_COMPONENTS } from '../../../market/dxy';
import type { PhaseContext } from '../../engine/types';
import type { Check, Verification } from '../../engine/verification';
import { workerModeVerdict } from '../../worker-control/worker-mode-check';
import { backedUpFunction } from '../shared/backup';
import { noFenceCheck, readFenceState } from '../shared/legacy-fence-state';
import { countLegacyFiveMinuteBarsSince } from '../shared/legacy-path-proof';
import { countLegacyMinutesSince } from './prove-legacy-path';
import { readRestoreCoverage } from './restore-coverage';
import { compareFunctions, dataBarsAgainstBackup, RESTORED_FUNCTIONS } from './restore-from-backup';
import { type RollbackCheckpoint, rollbackChoiceOf } from './rollback-checkpoint';
import { compareKeptRows } from './rollback-keep-proof';
import { requireBackup } from './rollback-target';

export async function verifyRollback(ctx: PhaseContext): Promise<Verification> {
  const backup = await requireBackup(ctx);
  const checkpoint = ctx.run.checkpoint as RollbackCheckpoint;
  const choice = rollbackChoiceOf(ctx.run.options);
  const touchedFrom = new Date(checkpoint.touchedFrom as string);
  const now = ctx.clock.now();
  // Up to the data frontier, not a fixed "now − 2 min": a minute is judged once every component has
  // reported past it (late component data is not a gap; lib/market/data-frontier.ts).
  const gapTo = (await readDataFrontier(ctx.sql, { now })).through;
  // Only the minutes the migration touched: a hole in the legacy history older than phase 1 is not this rollback's.
  const [gap] = await ctx.sql<{ n: number; samples: string[] | null }[]>`
    select count(*)::int as n, (array_agg(ts_utc::text order by ts_utc))[1:5] as samples from (
      select c.ts_utc from public.data_bars c
       where c.timeframe = '1m' and c.canonical_symbol in ${ctx.sql([...DXY_COMPONENTS])}
         and c.close > 0 and c.ts_utc >= ${touchedFrom} and c.ts_utc < ${gapTo}
       group by c.ts_utc having count(*) = 6) complete
     where not exists (select 1 from public.derived_data_bars d where d.canonical_symbol = 'DXY' and d.timeframe = '1m'
                         and d.ts_utc = complete.ts_utc and d.deleted_at is null)`;
  const [onlyNew] = await ctx.sql<{ n: number }[]>`
    select count(*)::int as n from public.data_bars n where n.canonical_symbol = 'DXY' and n.timeframe = '1m'
       and n.ts_utc >= ${touchedFrom}
       and not exists (select 1 from public.derived_data_bars d where d.canonical_symbol = 'DXY' and d.timeframe = '1m'
                         and d.ts_utc = n.ts_utc and d.deleted_at is null)`;
  const dataBars = await dataBarsAgainstBackup(ctx.sql, ctx.run.migrationRunId);
  const functionProblems = await compareFunctions(ctx, backup);
  const [registry] = await ctx.sql<{ metadata: unknown }[]>`
    select to_jsonb(r)->'metadata' as metadata from public.core_asset_registry_all r where canonical_symbol = 'DXY'`;
  // Each restore batch proved its rows before its commit (restore-batch-check.ts): coverage and what changed since.
  const restore = await readRestoreCoverage(ctx.sql, { migrationRunId: ctx.run.migrationRunId });
  const [duplicates] = await ctx.sql<{ n: number }[]>`
    select count(*)::int as n from (
      select 1 from public.derived_data_bars where canonical_symbol = 'DXY' and deleted_at is null
       group by timeframe, ts_utc having count(*) > 1) k`;
  const savedMetadata = backup.registryRow?.metadata ?? {};
  const status = await ctx.workers.status();
  const legacySince = await countLegacyMinutesSince(ctx.sql, new Date(checkpoint.deployedAt as string));
  const fiveMinute = await countLegacyFiveMinuteBarsSince(ctx.sql, new Date(checkpoint.deployedAt as string));
  const proof = checkpoint.legacyProof;
  const kept = choice === 'keep' ? await compareKeptRows(ctx.sql, checkpoint.keptAtStart) : null;
  const fence = await readFenceState(ctx.sql);
  const checks: Check[] = [
    noFenceCheck(fence, checkpoint.fenceRemovedAt),
    {
      name: 'Workers back in mode legacy',
      ...workerModeVerdict(status, 'legacy'),
    },
    {
      name: 'Pipeline functions as backed up (signatures, definitions, owner, settings, grants)',
      passed: functionProblems.length === 0,
      detail:
        functionProblems.length === 0
          ? `identical to the backup: ${backup.functions
              .filter((f) => RESTORED_FUNCTIONS.includes(f.name))
              .map((f) => f.signature)
              .join(', ')}`
          : functionProblems.join('; '),
      evidence: { savedAggregator: backedUpFunction(backup, 'aggregate_1m_to_5m_window')?.signature ?? null },
    },
    {
      name: 'Registry metadata as before the migration',
      passed:
        registry?.metadata === null || registry?.metadata === undefined
          ? Object.keys(savedMetadata).length === 0
          : JSON.stringify(registry.metadata) === JSON.stringify(savedMetadata),
      detail: JSON.stringify(registry?.metadata ?? null),
    },
    {
      name: 'Soft-deleted rows restored, one active row per key',
      passed:
        restore.unrestored === 0 &&
        restore.checkedRows === restore.records &&
        restore.redeleted === 0 &&
        (duplicates?.n ?? 0) === 0,
      detail:
        `${checkpoint.restored ?? 0} restored; ${checkpoint.skipped ?? 0} skipped because their key had an active row` +
        `${checkpoint.skippedSamples?.length ? ` (${checkpoint.skippedSamples.slice(0, 5).join(', ')})` : ''}; ` +
        `${restore.records} recorded by phase 9, ${restore.unrestored} not restored, ${restore.checkedRows} checked by key and value ` +
        `in ${restore.batches} batches before their commits; since then ${restore.redeleted} restored rows soft-deleted again ` +
        `without an active replacement${restore.samples.length ? ` (${restore.samples.join(', ')})` : ''}; ` +
        `${duplicates?.n ?? 0} keys with two active rows`,
      evidence: { skipped: checkpoint.skippedSamples ?? [], restore },
    },
    {
      name: 'No legacy gap in the minutes the migration touched',
      passed: (gap?.n ?? 0) === 0 && (onlyNew?.n ?? 0) === 0,
      detail:
        `${touchedFrom.toISOString()} to ${gapTo.toISOString()} (data frontier): ${gap?.n ?? 0} complete component minutes without a legacy row` +
        `${gap?.samples?.length ? ` (first: ${gap.samples.join(', ')})` : ''}; ` +
        `${onlyNew?.n ?? 0} DXY minutes only in data_bars; ${checkpoint.backfilled ?? 0} back-filled`,
      evidence: { since: touchedFrom.toISOString(), through: gapTo.toISOString() },
    },
    choice === 'delete'
      ? {
          name: 'data_bars’ DXY rows exactly as in the phase 1 backup',
          passed: dataBars.counts.added === 0 && dataBars.counts.changed === 0 && dataBars.counts.gone === 0,
          detail:
            `${dataBars.counts.now} DXY rows; ${dataBars.counts.added} not in the backup, ${dataBars.counts.changed} differ from it, ` +
            `${dataBars.counts.gone} missing (${checkpoint.deleted ?? 0} deleted, ${checkpoint.putBack ?? 0} put back, ${checkpoint.reinserted ?? 0} re-inserted)`,
        }
      : (kept as Check),
    legacySince > 0 || proof?.state !== 'pending'
      ? {
          name: 'Legacy path producing again',
          passed: legacySince > 0,
          detail: `${legacySince} DXY minutes written by the legacy path since ${checkpoint.deployedAt}`,
        }
      : {
          name: 'Legacy path producing again — PENDING (market closed)',
          // Not a pass: the data steps above are proven; this one is checked by the runner at the open.
          passed: true,
          detail: `PENDING: the market was closed at the switch back; new legacy minutes are expected from ${proof.expectedFrom}. The runner checks at the open and alerts (webhook, banner) if the legacy path stays silent.`,
          evidence: { pending: true, expectedFrom: proof.expectedFrom },
        },
    fiveMinute.bars > 0 || proof?.state !== 'pending'
      ? {
          name: 'DXY 5m produced again by the legacy path',
          passed: fiveMinute.bars > 0,
          detail:
            fiveMinute.bars > 0
              ? `${fiveMinute.bars} DXY 5m bars for windows after the switch (${checkpoint.deployedAt}), aggregated from legacy minutes; first ${fiveMinute.first?.toISOString()}`
              : `no DXY 5m bar for any window after the switch (${checkpoint.deployedAt}) holding legacy minutes: the restored aggregation is not producing`,
        }
      : {
          name: 'DXY 5m produced again by the legacy path — PENDING (market closed)',
          // Deferred with the legacy-path proof: the runner requires a 5m bar after the open too (legacy-path-proof.ts).
          passed: true,
          detail: `PENDING: no window has closed with open market since the switch back; DXY 5m bars are expected from ${proof.expectedFrom}. The runner checks at the open and alerts if none is produced.`,
          evidence: { pending: true, expectedFrom: proof.expectedFrom },
        },
  ];
  return { passed: checks.every((c) => c.passed), checks };
}
