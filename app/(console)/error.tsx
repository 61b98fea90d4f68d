'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { startTransition } from 'react';

/** "details are in audit event #123": how a failed action names its audit row (lib/auth/action.ts). */
function auditEventNumber(message: string): string | null {
  return /audit event #(\d+)/.exec(message)?.[1] ?? null;
}

/**
 * A page whose server render (or a client component) failed, inside the console's layout. Next
 * sends the browser only a digest of a server error, never its message (which may hold SQL or a
 * URL); the same digest is printed with the full error in the console's server log.
 */
export default function ConsoleError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const router = useRouter();
  const auditEvent = auditEventNumber(error.message);
  // A server render is retried only by fetching it again; reset() alone re-renders the client's copy.
  const retry = () =>
    startTransition(() => {
      router.refresh();
      reset();
    });
  return (
    <section
      role="alert"
      className="max-w-2xl space-y-3 rounded-lg border border-red-300 bg-red-50 p-6 text-red-950"
      data-testid="error-page"
    >
      <h1 className="text-2xl font-semibold">This page failed to load</h1>
      {auditEvent ? (
        <p className="text-sm">
          The failure is recorded as{' '}
          <Link className="font-semibold underline" href="/audit?outcome=failed" data-testid="error-audit-event">
            audit event #{auditEvent}
          </Link>
          .
        </p>
      ) : null}
      {error.digest ? (
        <p className="text-sm">
          Error digest{' '}
          <code className="rounded bg-white px-1 font-mono" data-testid="error-digest">
            {error.digest}
          </code>
          : the console&apos;s server log (the output of <code>npm start</code>, or of the console&apos;s service) has
          the full error next to this digest.
        </p>
      ) : (
        <p className="text-sm">
          The error happened in the browser: <code className="font-mono">{error.message}</code>. The browser&apos;s
          developer console has the details.
        </p>
      )}
      <p className="text-sm">Nothing was changed by showing this page. Runs in progress continue on the runner.</p>
      <div className="flex flex-wrap gap-3">
        <button type="button" onClick={retry} className="rounded bg-slate-900 px-3 py-1 text-sm text-white">
          Try again
        </button>
        <Link href="/" className="rounded border border-slate-300 bg-white px-3 py-1 text-sm">
          Overview
        </Link>
      </div>
    </section>
  );
}
