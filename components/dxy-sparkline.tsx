'use client';

import { Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { DxyMinutesJson } from '@/lib/client/wire-types';
import { DATA_BARS_LINE, LEGACY_LINE } from './dxy-lines';

/**
 * Legacy and new DXY minutes per hour over the last 24 hours: both writers at work shows as two
 * lines at ~60, a stopped writer as a line falling to zero. The latest hour is also said in words.
 */
export function DxySparkline({ hours: minutesPerHour }: { hours: DxyMinutesJson }) {
  const hours = minutesPerHour.map((h) => ({ ...h, hour: `${h.hourStart.slice(11, 13)}h` }));
  const latest = hours.at(-1);
  const previous = hours.at(-2);
  // The current hour is only partly written: drawn, it would look like both writers falling off at 3 a.m.
  const fullHours = hours.slice(0, -1);
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4" data-testid="dxy-sparkline">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 className="font-semibold">DXY 1m minutes per hour, last 23 full hours (UTC)</h2>
        <p className="text-xs text-slate-600">
          <span className="mr-1 inline-block h-0.5 w-4 bg-amber-600 align-middle" /> legacy (active){' '}
          <span className="ml-2 mr-1 inline-block h-0.5 w-4 bg-sky-700 align-middle" /> data_bars
        </p>
      </div>
      <div className="mt-2 h-24" role="img" aria-label="DXY 1m minutes per hour in derived_data_bars and data_bars">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={fullHours} margin={{ top: 4, right: 4, bottom: 0, left: -28 }}>
            <XAxis dataKey="hour" tick={{ fontSize: 9 }} interval={5} />
            <YAxis tick={{ fontSize: 9 }} domain={[0, 60]} ticks={[0, 30, 60]} />
            <Tooltip />
            <Line dataKey="legacy" name="legacy" {...LEGACY_LINE} />
            <Line dataKey="dataBars" name="data_bars" strokeDasharray="4 3" {...DATA_BARS_LINE} />
          </LineChart>
        </ResponsiveContainer>
      </div>
      {previous && latest ? (
        <p className="mt-1 text-xs text-slate-600" data-testid="dxy-sparkline-latest">
          Last full hour ({previous.hour}): legacy {previous.legacy}, data_bars {previous.dataBars} minutes. This hour
          so far ({latest.hour}): legacy {latest.legacy}, data_bars {latest.dataBars}.
        </p>
      ) : null}
    </section>
  );
}
