'use client';

import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { CheckSeries } from '@/lib/monitor/chart-series';

const VERDICT_COLORS = { PASS: '#059669', WARN: '#d97706', FAIL: '#dc2626' } as const;

/** The dashed threshold lines, in the colour of the verdict they start. */
const THRESHOLDS = [
  { verdict: 'WARN', at: 'warnAt' },
  { verdict: 'FAIL', at: 'failAt' },
] as const;

/** One check over the window: a bar per hour coloured by verdict, thresholds as dashed lines. */
export function CheckChart({ series, windowStartHour }: { series: CheckSeries; windowStartHour: string | null }) {
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-3" data-testid={`chart-${series.key}`}>
      <figcaption className="text-sm font-semibold">{series.name}</figcaption>
      <p className="text-xs text-slate-500">{series.threshold}</p>
      <div className="mt-2 h-40">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={series.points} margin={{ top: 8, right: 36, bottom: 0, left: -16 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="hour" tick={{ fontSize: 10 }} tickFormatter={(h: string) => h.slice(6)} interval={2} />
            <YAxis tick={{ fontSize: 10 }} allowDecimals={false} />
            <Tooltip formatter={(value) => [String(value), series.name]} />
            {windowStartHour ? (
              <ReferenceLine
                x={windowStartHour}
                stroke="#0369a1"
                strokeWidth={2}
                label={{ value: 'window start', fontSize: 10, position: 'insideTopLeft' }}
              />
            ) : null}
            {THRESHOLDS.map(({ verdict, at }) =>
              series[at] !== null ? (
                <ReferenceLine
                  key={verdict}
                  y={series[at]}
                  stroke={VERDICT_COLORS[verdict]}
                  strokeDasharray="4 4"
                  label={{ value: verdict, fontSize: 9, position: 'right' }}
                />
              ) : null,
            )}
            <Bar dataKey="value" isAnimationActive={false}>
              {series.points.map((point) => (
                <Cell key={point.hour} fill={point.verdict ? VERDICT_COLORS[point.verdict] : '#cbd5e1'} />
              ))}
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
