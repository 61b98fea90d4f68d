/**
 * The load test (issue 5): twenty signed-in viewers poll the overview, monitor and compare data
 * while phase 4 copies, for a fixed time, each in a bounded loop (one request, then a pause) on
 * loopback. Passes when no request failed and the copy finished with no failed or retried batch.
 */

import { type PollReport, startPolling } from './poll-endpoint';
import { startPhase, waitForRun } from './run-phase';
import type { ScratchConsole } from './scratch-console';
import { percentile } from './stats';

export const VIEWERS = 20;

export interface LoadReport {
  requests: number;
  errors: string[];
  p95Ms: Record<string, number>;
  copyStatus: string;
  copyProblems: string[];
  batchesDuringLoad: number;
}

export async function runLoadTest(
  target: ScratchConsole,
  options: { seconds: number; pauseMs: number; log: (line: string) => void },
): Promise<LoadReport> {
  const operator = await target.signIn('operator');
  const viewers = await Promise.all(Array.from({ length: VIEWERS }, () => target.signIn('viewer')));
  const endpoints = {
    overview: `${target.baseUrl}/api/status`,
    monitor: `${target.baseUrl}/api/monitor`,
    compare: `${target.baseUrl}/compare`,
  };
  const runId = await startPhase(target.database, operator.user, '4');
  // Each viewer starts on a different endpoint, so all three are under load from the first second.
  const urls = Object.values(endpoints);
  const pollers = viewers.map((viewer, i) =>
    startPolling([...urls.slice(i % urls.length), ...urls.slice(0, i % urls.length)], viewer.cookie, {
      pauseMs: options.pauseMs,
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, options.seconds * 1000));
  const reports: PollReport[] = await Promise.all(pollers.map((p) => p.stop()));
  const [during] = await target.database.sql<{ batches: number }[]>`
    select coalesce((checkpoint->>'batches')::int, 0) as batches from cutover.phase_runs where id = ${runId}`;
  options.log(
    `load: ${VIEWERS} viewers for ${options.seconds} s; the copy committed ${during?.batches} batches meanwhile`,
  );

  const run = await waitForRun(target.database, runId, 10 * 60_000);
  const problems = await target.database.sql<{ level: string; message: string }[]>`
    select level, message from cutover.phase_run_events where phase_run_id = ${runId} and level in ('warn', 'error') order by id`;

  // Samples per endpoint: each poller cycles through the URLs in its own order.
  const byEndpoint: Record<string, number[]> = { overview: [], monitor: [], compare: [] };
  const names = Object.keys(endpoints);
  reports.forEach((report, i) => {
    report.latenciesMs.forEach((ms, k) => {
      const name = names[(i + k) % names.length] as string;
      byEndpoint[name]?.push(ms);
    });
  });
  return {
    requests: reports.reduce((n, r) => n + r.latenciesMs.length, 0),
    errors: reports.flatMap((r) => r.errors),
    p95Ms: Object.fromEntries(Object.entries(byEndpoint).map(([name, samples]) => [name, percentile(samples, 95)])),
    copyStatus: run.status,
    copyProblems: problems.map((p) => `${p.level}: ${p.message}`),
    batchesDuringLoad: during?.batches ?? 0,
  };
}
