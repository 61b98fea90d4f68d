/**
 * The compare page's queries over the whole history ÷ an index-only count of the same rows
 * (docs/architecture.md "Performance", target ≤ 3), and the page itself over HTTP (target < 1 s). The page's queries are
 * the per-day comparison of the whole range plus the hour drill-down and difference samples of
 * its last day, exactly as /compare?from&to&day runs them. The baseline's plan is checked to be
 * index-only, so the ratio is against the cheapest possible read of those rows.
 */
import type { Sql } from 'postgres';
import { compareDxyByBucket, sampleDxyDifferences } from '../lib/monitor/compare-dxy';
import { DAY_MS } from '../lib/time-units';
import { fetchTimed } from './poll-endpoint';
import { medianMs } from './stats';

function indexOnlyCountSql(): string {
  return `select (select count(*) from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
                     and ts_utc >= $1 and ts_utc < $2) as data_bars,
                 (select count(*) from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
                     and deleted_at is null and ts_utc >= $1 and ts_utc < $2) as legacy_active,
                 (select count(*) from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
                     and deleted_at is not null and ts_utc >= $1 and ts_utc < $2) as legacy_deleted,
                 (select count(*) from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe in ('5m', '1h')
                     and deleted_at is null and ts_utc >= $1 and ts_utc < $2) as aggregates`;
}

async function assertIndexOnly(sql: Sql, range: { from: Date; to: Date }): Promise<void> {
  const [row] = await sql.unsafe(`explain (format json) ${indexOnlyCountSql()}`, [range.from, range.to]);
  const plan = JSON.stringify(row);
  const scans = plan.match(/"Node Type":"[^"]*Scan"/g) ?? [];
  if (scans.length === 0 || scans.some((s) => !s.includes('Index Only Scan'))) {
    throw new Error(`the baseline count is not index-only: ${scans.join(', ')}`);
  }
}

export async function measureCompare(
  sql: Sql,
  params: { from: Date; to: Date; baseUrl: string; cookie: string; repeats: number },
) {
  const range = { from: params.from, to: params.to };
  const lastDay = new Date(Math.floor((params.to.getTime() - 1) / DAY_MS) * DAY_MS);
  const dayRange = { from: lastDay, to: new Date(lastDay.getTime() + DAY_MS) };
  await assertIndexOnly(sql, range);
  const countMs = await medianMs(() => sql.unsafe(indexOnlyCountSql(), [range.from, range.to]), params.repeats);
  let days = 0;
  const queriesMs = await medianMs(async () => {
    days = (await compareDxyByBucket(sql, { ...range, bucket: 'day' })).length;
    await compareDxyByBucket(sql, { ...dayRange, bucket: 'hour' });
    await sampleDxyDifferences(sql, { ...dayRange, limit: 50 });
  }, params.repeats);
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  const pageUrl = `${params.baseUrl}/compare?${new URLSearchParams({
    from: iso(range.from),
    to: iso(new Date(range.to.getTime() - DAY_MS)),
    day: iso(lastDay),
  })}`;
  // The page must have compared the whole range, not refused it (too long, timed out, busy) fast.
  const page = await fetch(pageUrl, { headers: { cookie: params.cookie } });
  const html = await page.text();
  const refused = ['Choose a range', 'ran longer than', 'still running', 'The console is busy'].find((words) =>
    html.includes(words),
  );
  if (!page.ok || refused) throw new Error(`the compare page did not compare ${days} days: ${refused ?? page.status}`);
  let pageError: string | null = null;
  const pageMs = await medianMs(async () => {
    const { error } = await fetchTimed(pageUrl, params.cookie);
    pageError ??= error;
  }, params.repeats);
  if (pageError) throw new Error(`the compare page failed: ${pageError}`);
  return { queriesMs, countMs, pageMs, days };
}
