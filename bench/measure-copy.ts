/**
 * Phase 4 on the large world, against the plan's way on the same data (docs/architecture.md "Performance"):
 * - baseline: one INSERT … SELECT of every legacy minute in one transaction, then the plan's
 *   count comparison; then those rows are deleted and the table vacuumed;
 * - phase 4 as an operator runs it: started through the action, executed by the runner process
 *   in committed batches, then verified key by key and value by value.
 * While phase 4 runs, a signed-in client polls GET /api/status back to back; the same client's p95
 * when idle (no run) is the baseline for it. The baseline statement runs under the same poller: on
 * two cores the poller (the client, the server and its queries) takes about a core, and charging
 * that to phase 4 alone made the copy ratio measure the poller as much as the copy. The runner's and
 * the console's peak memory are read at the end.
 */
import type { SessionUser } from '../lib/auth/sessions';
import { type CounterSample, readCounters } from '../lib/runbook/engine/pacing/read-database-signals';
import { copyLegacyIntoEmptyRangeSql, legacyRange } from '../lib/runbook/phases/shared/copy-legacy';
import { type PollReport, startPolling } from './poll-endpoint';
import { peakMemoryMiB } from './process-memory';
import { startPhase, waitForRun } from './run-phase';
import type { ScratchConsole } from './scratch-console';
import { percentile, timed } from './stats';

export interface CopyMeasures {
  legacyRows: number;
  baselineMs: number;
  phase4Ms: number;
  batches: number;
  maxBatchMs: number;
  statusIdle: PollReport;
  statusDuringBaseline: PollReport;
  statusDuringCopy: PollReport;
  serverPeakMiB: number | null;
  runnerPeakMiB: number | null;
  /** WAL each wrote and the checkpoints it forced: what phase 4's pacing reacts to and the statement never does. */
  wal: { baseline: WalWritten; phase4: WalWritten };
}

export interface WalWritten {
  mib: number | null;
  requestedCheckpoints: number | null;
}

function walBetween(before: CounterSample, after: CounterSample): WalWritten {
  const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : b - a);
  const bytes = diff(before.walBytes, after.walBytes);
  return {
    mib: bytes === null ? null : Math.round(bytes / 2 ** 20),
    requestedCheckpoints: diff(before.requestedCheckpoints, after.requestedCheckpoints),
  };
}

function describeWal(w: WalWritten): string {
  return `${w.mib ?? '?'} MiB of WAL, ${w.requestedCheckpoints ?? '?'} requested checkpoints`;
}

export async function measureCopy(
  target: ScratchConsole,
  people: { operator: SessionUser; viewerCookie: string },
  options: { idleRequests: number; log: (line: string) => void },
): Promise<CopyMeasures> {
  const { sql } = target.database;
  const statusUrl = `${target.baseUrl}/api/status`;
  // Warm-up (first compiles, the first shared count) is not part of either figure.
  await startPolling([statusUrl], people.viewerCookie, { maxRequests: 50 }).finished;
  const statusIdle = await startPolling([statusUrl], people.viewerCookie, { maxRequests: options.idleRequests })
    .finished;
  options.log(
    `status idle: p95 ${percentile(statusIdle.latenciesMs, 95).toFixed(1)} ms over ${statusIdle.latenciesMs.length}`,
  );

  const range = await legacyRange(sql);
  if (!range.first || !range.last) throw new Error('no legacy rows to copy');
  const to = new Date(range.last.getTime() + 60_000);
  const pollingBaseline = startPolling([statusUrl], people.viewerCookie);
  const beforeBaseline = await readCounters(sql);
  const baseline = await timed(() =>
    sql.begin(async (tx) => {
      // The plan's way: one plain INSERT … SELECT of every legacy minute (data_bars holds no DXY row here).
      const inserted = await tx.unsafe(copyLegacyIntoEmptyRangeSql(), [range.first as Date, to]);
      const [counts] = await tx<{ legacy: number; copied: number }[]>`
        select (select count(*) from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
                   and deleted_at is null) as legacy,
               (select count(*) from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m') as copied`;
      return { inserted: inserted.count, counts };
    }),
  );
  const baselineWal = walBetween(beforeBaseline, await readCounters(sql));
  const statusDuringBaseline = await pollingBaseline.stop();
  options.log(
    `baseline INSERT … SELECT + counts: ${baseline.value.inserted} rows in ${baseline.ms.toFixed(0)} ms, ` +
      `${describeWal(baselineWal)} ` +
      `(status polled ${statusDuringBaseline.latenciesMs.length} times meanwhile, as during phase 4: ` +
      `p95 ${percentile(statusDuringBaseline.latenciesMs, 95).toFixed(1)} ms)`,
  );
  await sql`delete from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m'`;
  await sql`vacuum analyze public.data_bars`;

  const beforePhase4 = await readCounters(sql);
  const runId = await startPhase(target.database, people.operator, '4');
  const polling = startPolling([statusUrl], people.viewerCookie);
  const run = await waitForRun(target.database, runId, 30 * 60_000);
  const phase4Wal = walBetween(beforePhase4, await readCounters(sql));
  const statusDuringCopy = await polling.stop();
  if (run.status !== 'succeeded') throw new Error(`phase 4 ${run.status}: ${run.error}`);
  const phase4Ms = (run.finishedAt as Date).getTime() - (run.startedAt as Date).getTime();
  options.log(
    `phase 4: ${run.checkpoint.rowsWritten} rows in ${run.checkpoint.batches} batches, ${phase4Ms} ms, ${describeWal(phase4Wal)}`,
  );
  // Where phase 4's time went: its log lines with the milliseconds since it started (pacing waits say why they waited).
  const events = await sql<{ ms: number; level: string; message: string }[]>`
    select (extract(epoch from e.at - r.started_at) * 1000)::int as ms, e.level, left(e.message, 160) as message
      from cutover.phase_run_events e join cutover.phase_runs r on r.id = e.phase_run_id
     where e.phase_run_id = ${runId} order by e.id`;
  for (const e of events) options.log(`  phase 4 +${e.ms} ms ${e.level === 'info' ? '' : `${e.level}: `}${e.message}`);
  return {
    legacyRows: range.rows,
    baselineMs: baseline.ms,
    phase4Ms,
    batches: Number(run.checkpoint.batches),
    maxBatchMs: Number(run.checkpoint.maxBatchMs),
    statusIdle,
    statusDuringBaseline,
    statusDuringCopy,
    serverPeakMiB: peakMemoryMiB(target.server.pid),
    runnerPeakMiB: peakMemoryMiB(target.runner.pid),
    wal: { baseline: baselineWal, phase4: phase4Wal },
  };
}
