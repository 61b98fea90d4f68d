/** A verdict or status in the migration report, coloured by its tone (components/report-styles.tsx). */
import type { Badge } from '@/lib/runbook/read/report/report-model';

export function ReportBadge({ badge }: { badge: Badge }) {
  return <span className={`verdict tone-${badge.tone}`}>{badge.text}</span>;
}
