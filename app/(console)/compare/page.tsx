import type { Metadata } from 'next';
import { z } from 'zod';
import { CompareChart } from '@/components/compare-chart';
import { CompareSummary, dayDiffers } from '@/components/compare-summary';
import { CompareTable } from '@/components/compare-table';
import { LegacyHolesPanel } from '@/components/legacy-holes-panel';
import { ViewerReadRefused } from '@/components/viewer-read-refused';
import { requireUser } from '@/lib/auth/current-user';
import { ViewerReadBusy, withViewerRead } from '@/lib/db/read-limit';
import { readForViewer } from '@/lib/db/read-refusal';
import { formatCount, formatUtc } from '@/lib/format';
import { loadClock } from '@/lib/market/clock';
import { toCompareChartPoints } from '@/lib/monitor/compare-chart-series';
import { compareDxyByBucket, sampleDxyDifferences } from '@/lib/monitor/compare-dxy';
import { CompareBusy, isStatementTimeout, withCompareSlot } from '@/lib/monitor/compare-slots';
import { findLegacyHoles } from '@/lib/runbook/phases/1-preflight/legacy-holes';
import { reconcileHref } from '@/lib/runbook/phases/reconcile/reconcile-range';
import { DAY_MS } from '@/lib/time-units';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Compare' };

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .optional()
  .catch(undefined);
const filterSchema = z.object({
  from: isoDate,
  to: isoDate,
  day: isoDate,
  show: z.enum(['all', 'differences']).optional().catch(undefined),
});
/** Longer ranges list only the days that differ unless asked: 600 equal rows hide the one that is not. */
const LIST_ALL_UP_TO_DAYS = 62;
/** The longest range compared: ten years of history and a margin (`npm run bench -- --years 10` loads all of it). */
const MAX_RANGE_DAYS = 4000;

function utcDate(value: string): Date {
  return new Date(`${value}T00:00:00Z`);
}

export default async function ComparePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[]>>;
}) {
  const user = await requireUser();
  const raw = await searchParams;
  const filter = filterSchema.parse(
    Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v])),
  );
  // What viewers read runs on the small read pool, under its statement timeout, behind the viewer read
  // limit (lib/db/read-limit.ts), one compare per user.
  const clockRead = await readForViewer(async ({ sql }) => (await loadClock(sql)).now());
  if (!clockRead.ok) return <ViewerReadRefused title="Compare" message={clockRead.message} />;
  const now = clockRead.value;
  const today = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS);
  const to = filter.to ? new Date(utcDate(filter.to).getTime() + DAY_MS) : new Date(today.getTime() + DAY_MS);
  const from = filter.from ? utcDate(filter.from) : new Date(to.getTime() - 14 * DAY_MS);
  const invalidRange = from >= to || to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS;
  const day = filter.day ? utcDate(filter.day) : null;
  const dayEnd = day ? new Date(day.getTime() + DAY_MS) : null;
  let refusal: string | null = null;
  const read = await withCompareSlot(user.username, () =>
    withViewerRead(async (database) => ({
      days: invalidRange ? [] : await compareDxyByBucket(database.sql, { from, to, bucket: 'day' }),
      hours: day && dayEnd ? await compareDxyByBucket(database.sql, { from: day, to: dayEnd, bucket: 'hour' }) : [],
      samples: day && dayEnd ? await sampleDxyDifferences(database.sql, { from: day, to: dayEnd, limit: 50 }) : [],
      holes:
        !invalidRange && to.getTime() - from.getTime() <= LIST_ALL_UP_TO_DAYS * DAY_MS
          ? await findLegacyHoles(database.sql, { from, to })
          : null,
    })),
  ).catch((error: unknown) => {
    if (error instanceof CompareBusy || error instanceof ViewerReadBusy) refusal = error.message;
    else if (isStatementTimeout(error))
      refusal = `This comparison ran longer than the readers' statement timeout (CUTOVER_READ_STATEMENT_TIMEOUT_MS) and was cancelled, so that it cannot load the primary: choose a shorter range.`;
    else throw error;
    return { days: [], hours: [], samples: [], holes: null };
  });
  const { days, hours, samples, holes } = read;
  const query = (extra: Record<string, string>) =>
    `/compare?${new URLSearchParams({
      ...(filter.from ? { from: filter.from } : {}),
      ...(filter.to ? { to: filter.to } : {}),
      ...(filter.show ? { show: filter.show } : {}),
      ...extra,
    })}`;
  const show = filter.show ?? (days.length > LIST_ALL_UP_TO_DAYS ? 'differences' : 'all');
  const listed = show === 'all' ? days : days.filter(dayDiffers);
  // Minutes Reconcile can repair (legacy missing in data_bars, or another close): the way out is its page, not hand SQL.
  const repairable = days.filter((d) => d.missingInDataBars + d.closeDiffers > 0);
  const repairableCount = repairable.reduce((sum, d) => sum + d.missingInDataBars + d.closeDiffers, 0);
  const firstRepairable = repairable.at(-1)?.bucket;
  const lastRepairable = repairable[0]?.bucket;
  const dayRepairable = samples.some((s) => s.kind !== 'missing in legacy');
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold">Compare data_bars with derived_data_bars (DXY)</h1>
        <p className="text-sm text-slate-600">
          By key and value, not by counts: minutes missing on either side and minutes whose close differs (relative
          difference above 1e-9). Soft-deleted legacy rows are counted apart. Rehearsal time now: {formatUtc(now)}.
        </p>
      </div>
      <form method="get" className="flex flex-wrap items-end gap-3 text-sm" aria-label="Range">
        <label>
          <span className="block text-xs text-slate-500">From (UTC day)</span>
          <input
            type="date"
            name="from"
            defaultValue={from.toISOString().slice(0, 10)}
            className="rounded border border-slate-300 px-2 py-1"
          />
        </label>
        <label>
          <span className="block text-xs text-slate-500">To (UTC day, inclusive)</span>
          <input
            type="date"
            name="to"
            defaultValue={new Date(to.getTime() - DAY_MS).toISOString().slice(0, 10)}
            className="rounded border border-slate-300 px-2 py-1"
          />
        </label>
        <button type="submit" className="rounded bg-slate-900 px-3 py-1 text-white">
          Show
        </button>
      </form>
      {refusal ? (
        <p role="alert" className="rounded bg-amber-50 px-3 py-2 text-sm text-amber-900">
          {refusal}
        </p>
      ) : null}
      {invalidRange ? (
        <p role="alert" className="text-sm text-red-700">
          Choose a range whose start is before its end, at most {MAX_RANGE_DAYS} days long.
        </p>
      ) : null}
      {day ? (
        <section className="space-y-3 rounded-lg border border-sky-200 bg-sky-50 p-4" aria-label="Drill-down">
          <h2 className="font-semibold">
            {filter.day} by hour{' '}
            <a className="text-sm font-normal text-sky-700 underline" href={query({})}>
              close
            </a>
          </h2>
          <CompareTable rows={hours} bucket="hour" />
          <h3 className="text-sm font-semibold">Differing minutes (first {samples.length})</h3>
          {day && dayEnd && dayRepairable ? (
            <a className="text-sm text-sky-700 underline" href={reconcileHref({ from: day, to: dayEnd }, now)}>
              Reconcile this day
            </a>
          ) : null}
          {samples.length === 0 ? (
            <p className="text-sm text-slate-600">None: every minute agrees.</p>
          ) : (
            <div className="overflow-x-auto">
              <table className="whitespace-nowrap text-sm" data-testid="difference-samples">
                <tbody>
                  {samples.map((s) => (
                    <tr key={s.tsUtc.toISOString()}>
                      <td className="pr-4 font-mono whitespace-nowrap">{formatUtc(s.tsUtc)}</td>
                      <td className="pr-4">{s.kind}</td>
                      <td className="pr-4 font-mono">data_bars {s.newClose ?? '—'}</td>
                      <td className="font-mono">legacy {s.legacyClose ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      ) : null}
      {firstRepairable && lastRepairable ? (
        <p className="rounded bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="reconcile-link">
          {formatCount(repairableCount)} legacy minutes are missing in data_bars or have another close there.{' '}
          <a
            className="text-sky-700 underline"
            href={reconcileHref({ from: firstRepairable, to: new Date(lastRepairable.getTime() + DAY_MS) }, now)}
          >
            Repair them with Reconcile
          </a>{' '}
          (previewed, approved by a second person).
        </p>
      ) : null}
      <CompareSummary rows={days} />
      <CompareChart points={toCompareChartPoints(days)} />
      {days.length > 0 ? (
        <p className="text-sm text-slate-600">
          {show === 'all'
            ? `Listing all ${formatCount(days.length)} days. `
            : listed.length === 1
              ? `Listing the one day that differs, of ${formatCount(days.length)}. `
              : `Listing the ${formatCount(listed.length)} days that differ, of ${formatCount(days.length)}. `}
          <a className="text-sky-700 underline" href={query({ show: show === 'all' ? 'differences' : 'all' })}>
            {show === 'all' ? 'List only the days that differ' : `List all ${formatCount(days.length)} days`}
          </a>
        </p>
      ) : null}
      {listed.length > 0 || show === 'all' ? (
        <CompareTable
          rows={listed}
          bucket="day"
          drillHref={(row) => query({ day: row.bucket.toISOString().slice(0, 10) })}
        />
      ) : null}
      {invalidRange ? null : <LegacyHolesPanel holes={holes} limitDays={LIST_ALL_UP_TO_DAYS} />}
    </div>
  );
}
