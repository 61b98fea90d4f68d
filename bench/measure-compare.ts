/**
 * The compare page's queries over the whole history ÷ an index-only count of the same rows, and the
 * page itself over HTTP (docs/architecture.md "Performance"; each size's targets in scripts/bench.ts). The page's
 * queries are the per-day comparison of the whole range plus the hour drill-down and difference samples of
 * its last day, exactly as /compare?from&to&day runs them. The baseline's plan is checked to be
 * index-only, so the ratio is against the cheapest possible read of those rows; the two are timed in
 * turns, so both medians come from the same minutes of a shared machine.
 */
import type { Sql } from 'postgres';
import { compareDxyByBucket, sampleDxyDifferences } from '../lib/monitor/compare-dxy';
import { COMPARISON_INDEXES } from '../lib/runbook/phases/shared/comparison-indexes';
import { DAY_MS } from '../lib/time-units';
import { fetchTimed } from './poll-endpoint';
import { median, medianMs, pairedMedianMs } from './stats';

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

/**
 * The comparison indexes' shape, for the log. The compare walks their live leaf pages, so a sparse
 * comparison index is time the compare spends and the count (through data_bars' unique index) does
 * not: ≈ 40 % more CPU on two years when data_bars' had 12 % leaf density (docs/architecture.md
 * "Performance"). The file size alone misleads: the benchmark's baseline copy is deleted before phase 4,
 * and the pages VACUUM emptied stay in the file (4,432 of 7,244 on two years) but no scan reads them. So
 * the scratch server's pgstattuple gives the live leaf pages and their density; without it, the size only.
 */
interface IndexShape {
  mib: number;
  leafPages?: number;
  deletedPages?: number;
  leafDensityPct?: number;
}

async function comparisonIndexShapes(sql: Sql): Promise<Record<string, IndexShape>> {
  const names = COMPARISON_INDEXES.map((i) => i.name);
  const withStats = await sql`create extension if not exists pgstattuple`.then(
    () => true,
    () => false,
  );
  const rows = await sql<({ name: string } & IndexShape)[]>`
    select c.relname as name, round(pg_relation_size(c.oid) / 1048576.0, 1)::float8 as mib
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relname = any(${names}::text[])`;
  const shapes: Record<string, IndexShape> = {};
  for (const { name, mib } of rows) {
    shapes[name] = { mib };
    if (!withStats) continue;
    // A role that may not read the index's pages gets the size only.
    const [stats] = await sql<{ leaf: number; deleted: number; density: number }[]>`
      select leaf_pages::int as leaf, deleted_pages::int as deleted, avg_leaf_density::float8 as density
        from pgstatindex(${`public.${name}`}::regclass)`.catch(() => []);
    if (stats)
      shapes[name] = { mib, leafPages: stats.leaf, deletedPages: stats.deleted, leafDensityPct: stats.density };
  }
  return shapes;
}

export async function measureCompare(
  sql: Sql,
  params: { from: Date; to: Date; baseUrl: string; cookie: string; repeats: number },
) {
  const range = { from: params.from, to: params.to };
  const lastDay = new Date(Math.floor((params.to.getTime() - 1) / DAY_MS) * DAY_MS);
  const dayRange = { from: lastDay, to: new Date(lastDay.getTime() + DAY_MS) };
  await assertIndexOnly(sql, range);
  let days = 0;
  // Each part's time too (medians of the same runs), so a change in the figure says which part moved.
  const parts = { days: [] as number[], hours: [] as number[], samples: [] as number[] };
  const { a: countMs, b: queriesMs } = await pairedMedianMs(
    () => sql.unsafe(indexOnlyCountSql(), [range.from, range.to]),
    async () => {
      const started = performance.now();
      days = (await compareDxyByBucket(sql, { ...range, bucket: 'day' })).length;
      const dayDone = performance.now();
      await compareDxyByBucket(sql, { ...dayRange, bucket: 'hour' });
      const hoursDone = performance.now();
      await sampleDxyDifferences(sql, { ...dayRange, limit: 50 });
      parts.days.push(dayDone - started);
      parts.hours.push(hoursDone - dayDone);
      parts.samples.push(performance.now() - hoursDone);
    },
    params.repeats,
  );
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
  const partsMs = {
    days: median(parts.days.slice(1)),
    hours: median(parts.hours.slice(1)),
    samples: median(parts.samples.slice(1)),
  };
  return { queriesMs, countMs, pageMs, days, partsMs, indexes: await comparisonIndexShapes(sql) };
}
