import type { Metadata } from 'next';
import Link from 'next/link';

export const metadata: Metadata = { title: 'Not found' };

/** An unknown console URL (or phase), inside the console's layout so that the nav still leads on. */
export default function NotFound() {
  return (
    <section className="max-w-xl space-y-3 rounded-lg border border-slate-200 bg-white p-6" data-testid="not-found">
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <p className="text-sm text-slate-700">
        There is no console page at this address. The phases are{' '}
        <Link className="text-sky-700 underline" href="/phases/1">
          /phases/1
        </Link>{' '}
        to <code>/phases/9</code> (phase 8 is the{' '}
        <Link className="text-sky-700 underline" href="/monitor">
          monitor
        </Link>
        ).
      </p>
      <p>
        <Link href="/" className="text-sky-700 underline">
          Back to the overview
        </Link>
      </p>
    </section>
  );
}
