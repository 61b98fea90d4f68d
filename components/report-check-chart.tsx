/**
 * One monitoring check over the 24 hours as an inline SVG bar chart (no script, so it prints and
 * works in the saved HTML file): a bar per hour coloured by verdict, thresholds as dashed lines.
 * The series come from the report's model (lib/runbook/read/report/window-section.ts).
 */
import type { CheckSeries } from '@/lib/monitor/chart-series';

const COLORS = { PASS: '#059669', WARN: '#d97706', FAIL: '#dc2626' } as const;
const WIDTH = 340;
const HEIGHT = 120;
const LEFT = 30;
const RIGHT = 30;
const TOP = 8;
const BOTTOM = 18;

export function ReportCheckChart({ series }: { series: CheckSeries }) {
  const values = series.points.map((p) => p.value ?? 0);
  const max = Math.max(1, ...values, series.warnAt ?? 0, series.failAt ?? 0) * 1.1;
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const slot = plotWidth / Math.max(1, series.points.length);
  const y = (value: number) => TOP + plotHeight - (value / max) * plotHeight;
  const line = (value: number | null, color: string, label: string) =>
    value === null ? null : (
      <g>
        <line
          x1={LEFT}
          x2={LEFT + plotWidth}
          y1={y(value)}
          y2={y(value)}
          stroke={color}
          strokeDasharray="4 3"
          strokeWidth={1}
        />
        <text x={LEFT + plotWidth + 3} y={y(value) + 3} fontSize={8} fill={color}>
          {label}
        </text>
      </g>
    );
  const first = series.points[0]?.hour ?? '';
  const last = series.points.at(-1)?.hour ?? '';
  return (
    <figure data-testid={`report-chart-${series.key}`}>
      <figcaption>{series.name}</figcaption>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width="100%"
        role="img"
        aria-label={`${series.name}: ${series.points.map((p) => `${p.hour} ${p.value ?? 'not taken'} ${p.verdict ?? ''}`).join('; ')}`}
      >
        <line x1={LEFT} x2={LEFT} y1={TOP} y2={TOP + plotHeight} stroke="#94a3b8" />
        <line x1={LEFT} x2={LEFT + plotWidth} y1={TOP + plotHeight} y2={TOP + plotHeight} stroke="#94a3b8" />
        <text x={LEFT - 3} y={TOP + 6} fontSize={8} textAnchor="end" fill="#475569">
          {Number((max / 1.1).toPrecision(3))}
        </text>
        <text x={LEFT - 3} y={TOP + plotHeight} fontSize={8} textAnchor="end" fill="#475569">
          0
        </text>
        {series.points.map((point, index) => {
          const value = point.value ?? 0;
          const height = Math.max(point.value === null ? 0 : 1, (value / max) * plotHeight);
          return (
            <rect
              key={point.hour}
              x={LEFT + index * slot + slot * 0.15}
              y={TOP + plotHeight - height}
              width={slot * 0.7}
              height={height}
              fill={point.verdict ? COLORS[point.verdict] : '#cbd5e1'}
            >
              <title>{`${point.hour} UTC: ${point.value ?? 'not taken'} ${point.verdict ?? ''}`}</title>
            </rect>
          );
        })}
        {line(series.warnAt, COLORS.WARN, 'WARN')}
        {line(series.failAt, COLORS.FAIL, 'FAIL')}
        <text x={LEFT} y={HEIGHT - 4} fontSize={8} fill="#475569">
          {first}
        </text>
        <text x={LEFT + plotWidth} y={HEIGHT - 4} fontSize={8} textAnchor="end" fill="#475569">
          {last}
        </text>
      </svg>
      <p className="muted" style={{ fontSize: 10 }}>
        {series.threshold}
      </p>
    </figure>
  );
}
