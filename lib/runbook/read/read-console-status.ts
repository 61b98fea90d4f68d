/**
 * What the overview and GET /api/status show: DXY counts in both tables, latest bar and
 * freshness per component and for DXY, the worker mode, the clock, and the plan's steps.
 * Every count uses an index on (canonical_symbol, timeframe, ts_utc).
 */
import type { Database } from '../../db/connection';
import { findMissingPipelineTables, type PipelineTable } from '../../db/pipeline-tables';
import { readRehearsalWorkers } from '../../db/tables/rehearsal-workers';
import { readRehearsalWorld } from '../../db/tables/rehearsal-world';
import { loadClock } from '../../market/clock';
import { DXY_COMPONENTS, DXY_SYMBOL } from '../../market/dxy';
import { assessFreshness, type Freshness } from '../../monitor/freshness';
import { sharedDxyCounts, type TimedDxyCounts } from '../../monitor/shared-dxy-counts';
import { phaseId } from '../phases';
import { type RunbookState, readRunbookState } from './read-runbook-state';

export interface SeriesFreshness extends Freshness {
  label: string;
  table: 'data_bars' | 'derived_data_bars';
}

export interface WorkerStatus {
  kind: 'rehearsal' | 'external';
  mode: string | null;
  paused: boolean;
  lastTickAt: Date | null;
  lastError: string | null;
}

export interface ConsoleStatus {
  now: Date;
  /** speed: requested; effectiveSpeed: achieved lately (rehearsal: held back to the simulated workers' pace). */
  clock: { kind: string; speed: number; effectiveSpeed: number | null; heldBack: boolean };
  rehearsal: { variant: string; historyFrom: Date } | null;
  missingTables: PipelineTable[];
  /** Shared between requests for 5 s or longer on a long history (shared-dxy-counts.ts); countedAt says when. */
  counts: TimedDxyCounts | null;
  freshness: SeriesFreshness[];
  workers: WorkerStatus;
  /** True while DXY 1m sits in both tables and the legacy aggregator reads both (each minute read twice). */
  doubleReadRisk: boolean;
  runbook: RunbookState;
}

export async function readConsoleStatus(database: Database): Promise<ConsoleStatus> {
  const { sql } = database;
  const clock = await loadClock(sql);
  const now = clock.now();
  const missingTables = await findMissingPipelineTables(sql);
  const world = await readRehearsalWorld(sql);
  const workers = await readWorkerStatus(database);
  const runbook = await readRunbookState(sql, { now });
  const base = {
    now,
    clock: {
      kind: clock.kind,
      speed: clock.speed,
      effectiveSpeed: clock.effectiveSpeed ?? null,
      heldBack: clock.heldBack ?? false,
    },
    rehearsal: world ? { variant: world.schemaVariant, historyFrom: world.historyFrom } : null,
    missingTables,
    workers,
    runbook,
  };
  if (missingTables.includes('data_bars') || missingTables.includes('derived_data_bars')) {
    return { ...base, counts: null, freshness: [], doubleReadRisk: false };
  }
  const counts = await sharedDxyCounts(database.sql);
  // One runner tick (about a second) covers speed/60 simulated minutes.
  const freshness = await readFreshness(database, { now, slackMinutes: Math.ceil(clock.speed / 60) - 1 });
  // The aggregator reads only data_bars once phase 5 succeeded in the active migration run.
  const switched =
    runbook.migrationRun?.status === 'active' &&
    runbook.steps.find((s) => s.id === phaseId('5'))?.state === 'succeeded';
  return {
    ...base,
    counts,
    freshness,
    doubleReadRisk: !switched && counts.dataBars1m > 0 && counts.derivedActive1m > 0,
  };
}

async function readFreshness(
  database: Database,
  params: { now: Date; slackMinutes: number },
): Promise<SeriesFreshness[]> {
  const symbols = [...DXY_COMPONENTS];
  const latest = await database.sql<{ symbol: string; latest: Date | null }[]>`
    select s.symbol,
           (select max(ts_utc) from public.data_bars
             where canonical_symbol = s.symbol and timeframe = '1m' and ts_utc <= ${params.now}) as latest
      from unnest(${symbols}::text[]) as s(symbol)`;
  const [dxy] = await database.sql<{ in_data_bars: Date | null; in_derived: Date | null }[]>`
    select
      (select max(ts_utc) from public.data_bars
        where canonical_symbol = ${DXY_SYMBOL} and timeframe = '1m' and ts_utc <= ${params.now}) as in_data_bars,
      (select max(ts_utc) from public.derived_data_bars
        where canonical_symbol = ${DXY_SYMBOL} and timeframe = '1m' and deleted_at is null
          and ts_utc <= ${params.now}) as in_derived`;
  const rows: SeriesFreshness[] = latest.map((row) => ({
    label: row.symbol,
    table: 'data_bars',
    ...assessFreshness({ latest: row.latest, now: params.now, slackMinutes: params.slackMinutes }),
  }));
  rows.push({
    label: 'DXY (legacy, derived_data_bars)',
    table: 'derived_data_bars',
    ...assessFreshness({ latest: dxy?.in_derived ?? null, now: params.now, slackMinutes: params.slackMinutes }),
  });
  rows.push({
    label: 'DXY (new, data_bars)',
    table: 'data_bars',
    ...assessFreshness({ latest: dxy?.in_data_bars ?? null, now: params.now, slackMinutes: params.slackMinutes }),
  });
  return rows;
}

async function readWorkerStatus(database: Database): Promise<WorkerStatus> {
  const row = await readRehearsalWorkers(database.sql);
  if (!row) return { kind: 'external', mode: null, paused: false, lastTickAt: null, lastError: null };
  return {
    kind: 'rehearsal',
    mode: row.mode,
    paused: row.paused,
    lastTickAt: row.lastTickAt,
    lastError: row.lastError,
  };
}
