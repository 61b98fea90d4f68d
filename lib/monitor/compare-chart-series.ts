/**
 * Pure mapping from the compare page's day rows to the chart above its table: DXY 1m minutes per
 * day in each table, and the differences (minutes missing on either side plus closes that differ)
 * as a second series. Same numbers as the table, oldest day first as a time axis reads.
 */
import type { CompareRow } from './compare-dxy';

export interface CompareChartPoint {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  dataBars: number;
  /** Legacy minutes, active and soft-deleted: the table's two legacy columns added. */
  legacy: number;
  /** Missing in data_bars + missing in legacy + close differs. */
  differences: number;
}

export function toCompareChartPoints(rows: readonly CompareRow[]): CompareChartPoint[] {
  return [...rows]
    .sort((a, b) => a.bucket.getTime() - b.bucket.getTime())
    .map((row) => ({
      day: row.bucket.toISOString().slice(0, 10),
      dataBars: row.dataBars,
      legacy: row.legacyActive + row.legacySoftDeleted,
      differences: row.missingInDataBars + row.missingInLegacy + row.closeDiffers,
    }));
}
