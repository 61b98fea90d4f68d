'use client';

import { useQuery } from '@tanstack/react-query';
import { dxyMinutesPerHourQuery, statusQuery } from '@/lib/client/console-queries';
import type { ConsoleStatusJson, DxyMinutesJson } from '@/lib/client/wire-types';
import { ActiveRunBanner } from './active-run-banner';
import { ClockLine } from './clock-line';
import { DxyCountsPanel } from './dxy-counts-panel';
import { DxySparkline } from './dxy-sparkline';
import { FreshnessTable } from './freshness-table';
import { MissingTablesBanner } from './missing-tables-banner';
import { PlanChecklist } from './plan-checklist';
import { WorkersPanel } from './workers-panel';

export function OverviewLive({
  initialStatus,
  initialMinutesPerHour,
  canOperate,
}: {
  initialStatus: ConsoleStatusJson;
  initialMinutesPerHour: DxyMinutesJson;
  canOperate: boolean;
}) {
  const { data } = useQuery({ ...statusQuery(), initialData: initialStatus });
  const minutes = useQuery({ ...dxyMinutesPerHourQuery(), initialData: initialMinutesPerHour });
  const status = data ?? initialStatus;
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-2xl font-semibold">Overview</h1>
        <ClockLine status={status} />
      </div>
      <MissingTablesBanner missing={status.missingTables} />
      {status.doubleReadRisk ? (
        <p className="rounded border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          DXY 1m is in both tables while the aggregator still reads data_bars UNION ALL derived_data_bars: every DXY
          minute is read twice. Harmless for DXY&apos;s values (open = high = low = close, volume 0), but 5m
          source_candles show 10 instead of 5 until the aggregator reads data_bars only (phase 5).
        </p>
      ) : null}
      {status.counts ? <DxyCountsPanel counts={status.counts} /> : null}
      <DxySparkline hours={minutes.data ?? initialMinutesPerHour} />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="min-w-0 lg:col-span-2">
          <FreshnessTable rows={status.freshness} />
        </div>
        <WorkersPanel workers={status.workers} canOperate={canOperate} />
      </div>
      {status.runbook.activeRun ? <ActiveRunBanner run={status.runbook.activeRun} /> : null}
      <PlanChecklist runbook={status.runbook} />
    </div>
  );
}
