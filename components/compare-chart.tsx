'use client';

import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatCount } from '@/lib/format';
import type { CompareChartPoint } from '@/lib/monitor/compare-chart-series';
import { DATA_BARS_LINE, LEGACY_LINE } from './dxy-lines';

/**
 * The range at a glance, above the table: DXY minutes per day in data_bars and in the legacy table
 * (two lines that lie on each other when the tables agree), and the differing minutes per day as
 * red bars on their own axis, so that one bad minute among 1,440 still shows.
 */
export function CompareChart({ points }: { points: CompareChartPoint[] }) {
  if (points.length === 0) return null;
  const differing = points.filter((p) => p.differences > 0).length;
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-3" data-testid="compare-chart">
      <figcaption className="text-sm font-semibold">DXY 1m minutes per day, and minutes that differ</figcaption>
      <p className="text-xs text-slate-500">
        Lines: minutes in data_bars and in derived_data_bars (active + soft-deleted). Red bars (right axis): minutes
        missing on either side or whose close differs —{' '}
        {differing === 0 ? 'none in this range' : `on ${formatCount(differing)} of ${formatCount(points.length)} days`}.
      </p>
      <div className="mt-2 h-56">
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart data={points} margin={{ top: 8, right: 0, bottom: 0, left: -8 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="day" tick={{ fontSize: 10 }} tickFormatter={(d: string) => d.slice(5)} minTickGap={16} />
            <YAxis yAxisId="minutes" tick={{ fontSize: 10 }} allowDecimals={false} />
            <YAxis yAxisId="differences" orientation="right" tick={{ fontSize: 10 }} allowDecimals={false} width={36} />
            <Tooltip formatter={(value, name) => [formatCount(Number(value)), String(name)]} />
            <Legend wrapperStyle={{ fontSize: 11 }} />
            <Bar
              yAxisId="differences"
              dataKey="differences"
              name="differing minutes"
              fill="#dc2626"
              isAnimationActive={false}
            />
            <Line yAxisId="minutes" dataKey="legacy" name="legacy (derived_data_bars)" {...LEGACY_LINE} />
            <Line yAxisId="minutes" dataKey="dataBars" name="data_bars" strokeDasharray="5 3" {...DATA_BARS_LINE} />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
