/**
 * `npm run bench` (docs/architecture.md "Performance"): builds the large world — two years of 1m history — in a scratch
 * embedded PostgreSQL, runs the console and a runner against it, and measures each figure
 * against a baseline taken in the same run on the same data. Prints every ratio with both raw
 * figures, writes bench/results.json, exits 1 when a target is missed.
 *
 * `--small` does the same on a 14-day world in well under two minutes, so that `npm test` proves
 * the benchmark still runs; it writes bench/results-small.json and asserts no timing.
 */

import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { measureCalcFunction } from '../bench/measure-calc-function';
import { measureCompare } from '../bench/measure-compare';
import { measureCopy } from '../bench/measure-copy';
import { runPhases } from '../bench/run-phase';
import { startScratchConsole } from '../bench/scratch-console';
import { percentile } from '../bench/stats';

const { values } = parseArgs({ options: { small: { type: 'boolean', default: false } } });
const small = values.small;
const log = (line: string) => console.log(`[bench] ${line}`);

interface Result {
  name: string;
  value: number;
  baseline: number | null;
  unit: string;
  ratio: number | null;
  target: string;
  met: boolean | null;
}

function ratioResult(name: string, value: number, baseline: number, limit: number, unit = 'ms'): Result {
  const ratio = value / baseline;
  return { name, value, baseline, unit, ratio, target: `≤ ${limit}`, met: ratio <= limit };
}

function limitResult(name: string, value: number, limit: number, unit = 'ms'): Result {
  return { name, value, baseline: null, unit, ratio: null, target: `< ${limit} ${unit}`, met: value < limit };
}

async function main(): Promise<number> {
  const started = Date.now();
  const days = small ? 14 : 730;
  const target = await startScratchConsole({
    dataDir: small ? '.data-bench-small' : '.data-bench',
    port: small ? 3311 : 3310,
    days,
    start: '2026-11-25T14:00:00Z',
    log,
  });
  try {
    const [{ version }] = (await target.database.sql`select current_setting('server_version') as version`) as [
      { version: string },
    ];
    const operator = await target.signIn('operator');
    const viewer = await target.signIn('viewer');
    await runPhases(target.database, operator.user, ['1', '2', '2-fix', '3'], log);

    const range = { from: target.world.historyFrom, to: target.world.historyTo };
    const calc = await measureCalcFunction(target.database.sql, range);
    log(
      `calc_dxy_range_1m: ${calc.rows} minutes, ${calc.valueMs.toFixed(0)} ms vs bare ${calc.baselineMs.toFixed(0)} ms`,
    );

    const copy = await measureCopy(
      target,
      { operator: operator.user, viewerCookie: viewer.cookie },
      { idleRequests: small ? 40 : 200, log },
    );
    await target.database.sql`vacuum analyze public.data_bars`;
    await target.database.sql`vacuum analyze public.derived_data_bars`;
    const compare = await measureCompare(target.database.sql, {
      from: new Date(Math.floor(range.from.getTime() / 86_400_000) * 86_400_000),
      to: new Date(Math.ceil(range.to.getTime() / 86_400_000) * 86_400_000),
      baseUrl: target.baseUrl,
      cookie: viewer.cookie,
      repeats: small ? 3 : 7,
    });
    log(
      `compare: ${compare.days} days, queries ${compare.queriesMs.toFixed(0)} ms, page ${compare.pageMs.toFixed(0)} ms`,
    );

    const idleP95 = percentile(copy.statusIdle.latenciesMs, 95);
    const copyP95 = percentile(copy.statusDuringCopy.latenciesMs, 95);
    const results: Result[] = [
      ratioResult('phase 4 copy + verification ÷ INSERT … SELECT + counts', copy.phase4Ms, copy.baselineMs, 1.25),
      ratioResult('calc_dxy_range_1m (whole history) ÷ bare INSERT … SELECT', calc.valueMs, calc.baselineMs, 1.2),
      ratioResult('compare page queries ÷ index-only count of the same rows', compare.queriesMs, compare.countMs, 3),
      limitResult(`compare page over HTTP (${days} days by day + one day by hour)`, compare.pageMs, 1000),
      ratioResult('GET /api/status p95 during phase 4 ÷ p95 idle', copyP95, idleP95, 2),
      limitResult('slowest copy batch commit', copy.maxBatchMs, 2000),
      limitResult(
        'GET /api/status errors (idle + during copy)',
        copy.statusIdle.errors.length + copy.statusDuringCopy.errors.length,
        1,
        'errors',
      ),
    ];
    const report = {
      mode: small ? 'small' : 'large',
      measuredAt: new Date().toISOString(),
      durationSeconds: Math.round((Date.now() - started) / 1000),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        postgres: version,
      },
      world: {
        days,
        providerBars: target.world.providerBars,
        legacyDxyMinutes: copy.legacyRows,
        copyBatches: copy.batches,
        statusRequests: {
          idle: copy.statusIdle.latenciesMs.length,
          duringCopy: copy.statusDuringCopy.latenciesMs.length,
        },
      },
      peakMemoryMiB: { console: copy.serverPeakMiB, runner: copy.runnerPeakMiB },
      results,
    };
    writeFileSync(small ? 'bench/results-small.json' : 'bench/results.json', `${JSON.stringify(report, null, 2)}\n`);

    console.log('');
    // The small world proves the benchmark runs; its timings are too short to judge against the targets.
    if (small) console.log('small world: figures printed for information, targets not judged');
    for (const r of results) {
      const figures =
        r.baseline === null
          ? `${r.value.toFixed(0)} ${r.unit}`
          : `${r.value.toFixed(0)} ${r.unit} / ${r.baseline.toFixed(0)} ${r.unit} = ${(r.ratio as number).toFixed(2)}`;
      const verdict = small ? '      ' : r.met ? 'MET   ' : 'MISSED';
      console.log(`${verdict} ${r.name}: ${figures} (target ${r.target})`);
    }
    console.log(`peak memory: console ${copy.serverPeakMiB} MiB, runner ${copy.runnerPeakMiB} MiB`);
    console.log(`${report.mode} world, ${days} days, ${report.durationSeconds} s in all`);
    if (small) return 0;
    return results.every((r) => r.met) ? 0 : 1;
  } finally {
    await target.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[bench] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(2);
  },
);
