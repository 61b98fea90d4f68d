import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { FailureBanner } from '@/components/failure-banner';
import { LegacyPathBanner } from '@/components/legacy-path-banner';
import { LiveDataFrame } from '@/components/live-data-frame';
import { NavBar } from '@/components/nav-bar';
import { PhaseCatalogProvider } from '@/components/phase-catalog';
import { requireUser } from '@/lib/auth/current-user';
import { readForViewer } from '@/lib/db/read-refusal';
import { readLatestFailure } from '@/lib/monitor/read-latest-failure';
import { phaseIdentities } from '@/lib/runbook/phases';
import { readLegacyPathNotice } from '@/lib/runbook/phases/shared/legacy-path-proof';

export const dynamic = 'force-dynamic';

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  // An admin's one-time password is replaced before anything else (app/account/password).
  if (user.mustChangePassword) redirect('/account/password');
  // Every page view reads the banners: a viewer's read (lib/db/read-limit.ts). Refused, the page says
  // so where the banners go rather than showing none, which would read as "nothing failed".
  const banners = await readForViewer(async ({ sql }) => ({
    failure: await readLatestFailure(sql),
    legacyPath: await readLegacyPathNotice(sql),
  }));
  const { failure, legacyPath } = banners.ok ? banners.value : { failure: null, legacyPath: null };
  return (
    // Client components read phase labels, routes and options from these identities (components/phase-catalog.tsx).
    <PhaseCatalogProvider identities={phaseIdentities()}>
      <div className="min-h-screen">
        <NavBar username={user.username} roles={user.roles} />
        <FailureBanner failure={failure} />
        <LegacyPathBanner notice={legacyPath} />
        {banners.ok ? null : (
          <p role="status" className="bg-amber-50 px-6 py-1 text-xs text-amber-900" data-testid="banners-refused">
            The monitoring and legacy-path banners could not be read just now: {banners.message}
          </p>
        )}
        <main className="mx-auto max-w-7xl px-3 py-4 sm:px-6 sm:py-6">
          <LiveDataFrame>{children}</LiveDataFrame>
        </main>
      </div>
    </PhaseCatalogProvider>
  );
}
