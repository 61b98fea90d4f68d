import Link from 'next/link';
import { formatCount } from '@/lib/format';
import type { CompareRow } from '@/lib/monitor/compare-dxy';

function Cell({ value, bad }: { value: number; bad?: boolean }) {
  return (
    <td className={`px-3 py-1.5 text-right font-mono ${bad && value !== 0 ? 'font-bold text-red-700' : ''}`}>
      {formatCount(value)}
    </td>
  );
}

/** One row per day (or hour); differences in red. `drillHref` links a day to its hours. */
export function CompareTable({
  rows,
  bucket,
  drillHref,
}: {
  rows: CompareRow[];
  bucket: 'day' | 'hour';
  drillHref?: (row: CompareRow) => string;
}) {
  if (rows.length === 0) return <p className="text-sm text-slate-600">No DXY rows in this range.</p>;
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="w-full text-sm" data-testid={`compare-${bucket}`}>
        <thead className="text-right text-xs uppercase text-slate-500">
          <tr>
            <th className="px-3 py-2 text-left">{bucket === 'day' ? 'Day (UTC)' : 'Hour (UTC)'}</th>
            <th className="px-3 py-2">data_bars 1m</th>
            <th className="px-3 py-2">legacy active</th>
            <th className="px-3 py-2">legacy soft-deleted</th>
            <th className="px-3 py-2">difference</th>
            <th className="px-3 py-2">missing in data_bars</th>
            <th className="px-3 py-2">missing in legacy</th>
            <th className="px-3 py-2">close differs</th>
            <th className="px-3 py-2">DXY 5m</th>
            <th className="px-3 py-2">DXY 1h</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const label =
              bucket === 'day' ? row.bucket.toISOString().slice(0, 10) : row.bucket.toISOString().slice(11, 16);
            return (
              <tr
                key={row.bucket.toISOString()}
                className="border-t border-slate-100"
                data-testid={`compare-row-${label}`}
              >
                <td className="whitespace-nowrap px-3 py-1.5 font-mono">
                  {drillHref ? (
                    <Link className="text-sky-700 underline" href={drillHref(row)}>
                      {label}
                    </Link>
                  ) : (
                    label
                  )}
                </td>
                <Cell value={row.dataBars} />
                <Cell value={row.legacyActive} />
                <Cell value={row.legacySoftDeleted} />
                <Cell value={row.difference} />
                <Cell value={row.missingInDataBars} bad />
                <Cell value={row.missingInLegacy} />
                <Cell value={row.closeDiffers} bad />
                <Cell value={row.bars5m} />
                <Cell value={row.bars1h} />
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
