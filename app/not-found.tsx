import type { Metadata } from 'next';
import Link from 'next/link';

export const metadata: Metadata = { title: 'Not found' };

/** Outside the console's pages (the console's own URLs get app/(console)/not-found.tsx, with the nav). */
export default function RootNotFound() {
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <section className="max-w-md space-y-3 rounded-lg border border-slate-200 bg-white p-6" data-testid="not-found">
        <h1 className="text-2xl font-semibold">Page not found</h1>
        <p className="text-sm text-slate-700">There is no dxy-cutover page at this address.</p>
        <Link href="/" className="text-sky-700 underline">
          Back to the overview
        </Link>
      </section>
    </main>
  );
}
