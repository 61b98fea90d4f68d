/**
 * Phase 5 — the switch, in one transaction: DXY's registry metadata (exactly the four keys),
 * the aggregator's 1m→5m function replaced by a data_bars-only version (the old definition is in
 * phase 1's backup for the rollback), and a catch-up copy of the legacy minutes written since
 * phase 4, so the data_bars-only aggregator has every DXY minute. Until phase 7 deploys the new
 * writer, the runner keeps copying new legacy minutes across (the bridge). The worker deployment
 * (mode dual) is prepared and recorded for phase 7.
 */
import { aggregatorReadsDerived, replacementAggregatorSql } from '../aggregator-function';
import { backedUpFunction, getBackup } from '../backup';
import { copyLegacyRange, latestDxyInDataBars } from '../copy-legacy';
import { requireSucceeded } from '../preconditions';
import { DXY_REGISTRY_METADATA, REGISTRY_UPDATE_SQL } from '../registry-metadata';
import { readColumns } from '../schema-inspection';
import type { Check, PhaseDefinition } from '../types';

/** Minutes re-scanned behind the newest copied minute, for legacy minutes that landed late. */
export const CATCH_UP_OVERLAP_MS = 10 * 60_000;

export const phase5Switch: PhaseDefinition = {
  id: '5',
  number: 5,
  title: 'Update tick-factory, aggregator, registry',
  description:
    "Writes DXY's registry metadata (is_synthetic, base_timeframe, components, derived_timeframes — nothing more), replaces " +
    'aggregate_1m_to_5m_window with a version reading data_bars only, copies the legacy minutes written since phase 4, and ' +
    'prepares the workers’ dual-mode deployment for phase 7. One transaction.',
  roles: ['operator'],
  pausable: false,

  async preconditions(ctx) {
    const columns = await readColumns(ctx.database.sql, 'core_asset_registry_all');
    const checks: Check[] = [
      await requireSucceeded(ctx, '4', 'Phase 4 (copy) succeeded'),
      {
        name: 'Registry has a metadata column',
        passed: columns.has('metadata'),
        detail: columns.has('metadata') ? 'present' : 'missing: run phase 2 "Apply fix" first',
      },
    ];
    if (ctx.migrationRunId !== null) {
      const backup = await getBackup(ctx.database.sql, { migrationRunId: ctx.migrationRunId });
      const saved = backup ? backedUpFunction(backup, 'aggregate_1m_to_5m_window') : undefined;
      checks.push({
        name: 'Old aggregator definition backed up',
        passed: Boolean(saved),
        detail: saved
          ? `${saved.signature} in backup #${backup?.id}`
          : 'not in the backup: a rollback could not restore it',
      });
    }
    return checks;
  },

  async preview() {
    return {
      summary: [
        `Merge into DXY's metadata: ${JSON.stringify(DXY_REGISTRY_METADATA)}.`,
        'Replace aggregate_1m_to_5m_window with the data_bars-only version below.',
        'Copy legacy DXY minutes written since phase 4 into data_bars (never overwriting).',
        'Record the deployment target (workers in mode dual) for phase 7.',
      ],
      sql: [
        REGISTRY_UPDATE_SQL,
        replacementAggregatorSql().trim(),
        'INSERT INTO public.data_bars … FROM public.derived_data_bars WHERE ts_utc >= :last_copied - 10 min … ON CONFLICT DO NOTHING',
      ],
      estimates: {},
    };
  },

  async execute(ctx) {
    const now = ctx.clock.now();
    const outcome = await ctx.commitStep(
      async (tx) => {
        const [before] = await tx<
          { metadata: unknown }[]
        >`select metadata from public.core_asset_registry_all where canonical_symbol = 'DXY'`;
        if (!before) throw new Error('DXY is not in core_asset_registry_all.');
        await tx.unsafe(REGISTRY_UPDATE_SQL);
        await tx.unsafe(replacementAggregatorSql());
        const last = await latestDxyInDataBars(tx);
        const from = new Date((last ?? now).getTime() - CATCH_UP_OVERLAP_MS);
        const caughtUp = await copyLegacyRange(tx, { from, to: new Date(now.getTime() + 60_000) });
        return { metadataBefore: before.metadata, caughtUp, from };
      },
      (value) => ({
        result: {
          metadataBefore: value.metadataBefore,
          metadataWritten: DXY_REGISTRY_METADATA,
          aggregatorReplaced: true,
          catchUpRows: value.caughtUp,
          workerDeploymentPrepared: 'dual',
        },
      }),
    );
    await ctx.log(
      `Registry and aggregator switched; ${outcome.caughtUp} legacy minutes copied since ${outcome.from.toISOString()}.`,
    );
    return { state: 'done' };
  },

  async verify({ sql }) {
    const [registry] = await sql<{ metadata: Record<string, unknown> }[]>`
      select metadata from public.core_asset_registry_all where canonical_symbol = 'DXY'`;
    const metadata = registry?.metadata ?? {};
    const expected = DXY_REGISTRY_METADATA as Record<string, unknown>;
    const wrongKeys = Object.keys(expected).filter((k) => JSON.stringify(metadata[k]) !== JSON.stringify(expected[k]));
    const readsDerived = await aggregatorReadsDerived(sql);
    const checks: Check[] = [
      {
        name: 'Registry metadata has the four keys',
        passed: wrongKeys.length === 0,
        detail: wrongKeys.length === 0 ? JSON.stringify(metadata) : `wrong or missing: ${wrongKeys.join(', ')}`,
        evidence: metadata,
      },
      {
        name: 'Aggregator reads data_bars only',
        passed: !readsDerived,
        detail: readsDerived
          ? 'a 1m bar only in derived_data_bars still produced a 5m bar (probe, rolled back)'
          : 'a 1m bar only in derived_data_bars produced no 5m bar (probe, rolled back)',
      },
    ];
    return { passed: checks.every((c) => c.passed), checks };
  },
};
