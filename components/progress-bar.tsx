import { formatCount } from '@/lib/format';

/** Rows, %, rate and ETA of a batched phase (phase 4's copy). */
export function ProgressBar({ progress }: { progress: Record<string, unknown> }) {
  const percent = Number(progress.percent ?? 0);
  const rate = Number(progress.ratePerSecond ?? 0);
  const eta = progress.etaSeconds === null || progress.etaSeconds === undefined ? null : Number(progress.etaSeconds);
  return (
    <div className="mt-2" data-testid="progress">
      <div
        className="h-3 w-full overflow-hidden rounded bg-slate-200"
        role="progressbar"
        aria-label="Run progress"
        aria-valuetext={`${percent.toFixed(1)}%: ${formatCount(Number(progress.rowsDone ?? 0))} of ${formatCount(Number(progress.rowsTotal ?? 0))} rows`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(percent)}
      >
        <div className="h-full bg-sky-600 transition-all" style={{ width: `${Math.min(100, percent)}%` }} />
      </div>
      <p className="mt-1 font-mono text-xs text-slate-700">
        {formatCount(Number(progress.rowsDone ?? 0))} / {formatCount(Number(progress.rowsTotal ?? 0))} rows ·{' '}
        {percent.toFixed(1)}% · {formatCount(Math.round(rate))} rows/s · ETA{' '}
        {eta === null ? '—' : `${Math.ceil(eta)} s`}
        {progress.batches
          ? ` · ${progress.batches} batches, last ${progress.lastBatchMs} ms` +
            (progress.maxBatchMs ? `, slowest ${progress.maxBatchMs} ms` : '')
          : ''}
      </p>
    </div>
  );
}
