import { formatCount } from '@/lib/format';
import type { CompareRow } from '@/lib/monitor/compare-dxy';

/** A day differs when a minute is missing on either side or a close differs; counts alone never decide. */
export function dayDiffers(row: CompareRow): boolean {
  return row.missingInDataBars + row.missingInLegacy + row.closeDiffers > 0;
}

/**
 * The verdict over the whole range, first, so that two years read in five seconds: green when every
 * day agrees by key and value, red with the totals when any does not.
 */
export function CompareSummary({ rows }: { rows: CompareRow[] }) {
  const sum = (key: keyof Omit<CompareRow, 'bucket'>) => rows.reduce((n, r) => n + r[key], 0);
  const differing = rows.filter(dayDiffers).length;
  const totals = `${formatCount(sum('dataBars'))} minutes in data_bars, ${formatCount(sum('legacyActive'))} active and ${formatCount(
    sum('legacySoftDeleted'),
  )} soft-deleted in derived_data_bars`;
  if (rows.length === 0) return null;
  return differing === 0 ? (
    <p
      className="rounded border border-emerald-300 bg-emerald-50 px-4 py-3 text-sm text-emerald-900"
      data-testid="compare-summary"
    >
      <strong>All {formatCount(rows.length)} days agree by key and value</strong>: {totals}; no minute missing on either
      side, no close differs.
    </p>
  ) : (
    <p
      role="alert"
      className="rounded border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-900"
      data-testid="compare-summary"
    >
      <strong>
        {formatCount(differing)} of {formatCount(rows.length)} days {differing === 1 ? 'differs' : 'differ'}
      </strong>
      : {formatCount(sum('missingInDataBars'))} minutes missing in data_bars, {formatCount(sum('missingInLegacy'))}{' '}
      missing in legacy, {formatCount(sum('closeDiffers'))} closes differ ({totals}).
    </p>
  );
}
