/**
 * The rehearsal world's tick-factory: one run at the end of every simulated minute. A run fetches
 * the bars that have landed for each symbol by then (ingest-schedule.ts: all of the minute's at
 * once, or each symbol on its own schedule), re-fetches a recently revised bar now and then
 * (provider-revisions.ts), then derives DXY along the deployed mode over the minutes that may have
 * changed (derive-dxy.ts). Each run commits on its own — bars, per-symbol progress, revision,
 * derivation, the workers' next minute and its ops_runlog row together — so a crash never loses or
 * doubles a bar.
 */
import type { Sql } from 'postgres';
import { type SymbolIngestion, saveSymbolIngestion } from '../../db/tables/rehearsal-ingestion';
import { recordRehearsalWorkersTick } from '../../db/tables/rehearsal-workers';
import { MINUTE_MS } from '../../time-units';
import { derivationWindow, deriveDxy } from './derive-dxy';
import { loadSymbolIngestion, planIngestionRun } from './ingest-schedule';
import { fetchProviderBars } from './provider-bars';
import { type AppliedRevision, maybeReviseRecentBar } from './provider-revisions';
import { providerSource } from './schema-sql';
import { writeRunlog } from './worker-runlog';
import type { WorkerState } from './worker-state';

/** Simulated minutes one tick may catch up; the rest follow on the next ticks. */
const MAX_MINUTES_PER_TICK = 60;

/**
 * Runs the due minutes. `nextMinute` is where the running tick-factory stands afterwards (null when
 * stopped or absent): the aggregator's horizon in the simulation.
 */
export async function runTickFactory(
  sql: Sql,
  state: WorkerState | null,
  now: Date,
): Promise<{ minutesProduced: number; errors: string[]; nextMinute: Date | null }> {
  const errors: string[] = [];
  if (!state || state.paused) return { minutesProduced: 0, errors, nextMinute: null };
  let symbols = await loadSymbolIngestion(sql, { nextMinute: state.nextMinute, schedule: state.ingestion.schedule });
  // Together, every symbol stands at the workers' next minute. A stop moved on by hand (the row's
  // next_minute set past the stopped stretch, as an outage is rehearsed) leaves that stretch missing
  // for every symbol, as it always did; only staggered symbols legitimately stand behind it.
  if (state.ingestion.schedule === 'together') {
    symbols = symbols.map((s) =>
      s.nextMinute.getTime() < state.nextMinute.getTime() ? { ...s, nextMinute: state.nextMinute } : s,
    );
  }
  let minute = state.nextMinute.getTime();
  let produced = 0;
  while (minute + MINUTE_MS <= now.getTime() && produced < MAX_MINUTES_PER_TICK) {
    const run = await runOnce(sql, { state, minute: new Date(minute), symbols, ranAt: now });
    symbols = run.symbols;
    if (run.error) errors.push(run.error);
    minute += MINUTE_MS;
    produced += 1;
  }
  return { minutesProduced: produced, errors, nextMinute: new Date(minute) };
}

async function runOnce(
  sql: Sql,
  params: { state: WorkerState; minute: Date; symbols: readonly SymbolIngestion[]; ranAt: Date },
): Promise<{ symbols: SymbolIngestion[]; error: string | null }> {
  const { state, minute } = params;
  const { mode } = state;
  const runAt = new Date(minute.getTime() + MINUTE_MS);
  const schedule = state.ingestion.schedule;
  const next = planIngestionRun(params.symbols, { runAt, schedule, random: Math.random });
  const bars = fetchProviderBars(sql, {
    from: params.symbols,
    to: next,
    runAt,
    source: providerSource(state.schemaVariant),
  });
  let failure: string | null = null;
  let dxy: unknown = null;
  let revision: AppliedRevision | null = null;
  await sql.begin(async (tx) => {
    if (bars.length > 0) {
      await tx`insert into public.data_bars ${tx(bars)} on conflict do nothing`;
    }
    revision = await maybeReviseRecentBar(tx, { runAt, perHour: state.ingestion.revisionsPerHour });
    await saveSymbolIngestion(tx, next);
    const window = derivationWindow({ minute, runAt, schedule, revised: revision ? [revision.minute] : [] });
    try {
      dxy = await tx.savepoint((sp) => deriveDxy(sp, { ...window, mode }));
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
    await recordRehearsalWorkersTick(tx, { nextMinute: runAt, ranAt: params.ranAt, error: failure });
    await writeRunlog(tx, {
      job: 'tick_factory',
      startedAt: params.ranAt,
      failure,
      stats: {
        minute: minute.toISOString(),
        mode,
        bars: bars.length,
        dxy,
        ...(schedule === 'together' ? {} : { window: { from: window.from, to: window.to } }),
        ...(revision ? { revised: revision } : {}),
      },
    });
  });
  return { symbols: next, error: failure ? `tick-factory ${minute.toISOString()}: ${failure}` : null };
}
