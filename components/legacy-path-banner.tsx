import Link from 'next/link';
import { formatUtc } from '@/lib/format';
import type { LegacyPathNotice } from '@/lib/runbook/phases/shared/legacy-path-proof';

/** A rollback's last proof: pending until the market opens (amber), or the legacy path silent after the open (red). */
export function LegacyPathBanner({ notice }: { notice: LegacyPathNotice | null }) {
  if (!notice) return null;
  const silent = notice.state === 'silent';
  return (
    <div
      role={silent ? 'alert' : 'status'}
      className={`${silent ? 'bg-red-700 text-white' : 'bg-amber-100 text-amber-900'} px-6 py-2 text-sm`}
      data-testid="legacy-path-banner"
    >
      {silent ? (
        <>
          <strong>Rollback: the legacy path is silent</strong> — no legacy DXY minute since the market opened at{' '}
          {formatUtc(notice.expectedFrom)}. Check the workers (mode legacy, ops_runlog) and restart them.{' '}
        </>
      ) : (
        <>
          <strong>Rollback: one proof pending</strong> — the data steps are done; the legacy path is expected to write
          again from {formatUtc(notice.expectedFrom)} (checked automatically at the open).{' '}
        </>
      )}
      <Link href="/rollback" className="underline">
        Open the rollback
      </Link>
    </div>
  );
}
