import Link from 'next/link';
import { formatUtc } from '@/lib/format';

export function FailureBanner({ failure }: { failure: { hourStart: Date; failing: string[] } | null }) {
  if (!failure) return null;
  return (
    <div role="alert" className="bg-red-700 px-6 py-2 text-sm text-white" data-testid="failure-banner">
      <strong>Monitoring FAIL</strong> for the hour starting {formatUtc(failure.hourStart)}:{' '}
      {failure.failing.join('; ')}.{' '}
      <Link href="/monitor" className="underline">
        Open the monitor
      </Link>
    </div>
  );
}
