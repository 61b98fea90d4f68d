import type { Metadata } from 'next';
import Link from 'next/link';
import { ChecksTable } from '@/components/checks-table';
import { ReconcileView } from '@/components/reconcile-view';
import { SqlPreview } from '@/components/sql-preview';
import { ViewerReadRefused } from '@/components/viewer-read-refused';
import { requireUser } from '@/lib/auth/current-user';
import { readForViewer } from '@/lib/db/read-refusal';
import { toJson } from '@/lib/json';
import { loadClock } from '@/lib/market/clock';
import { reconcileRangeOf } from '@/lib/runbook/phases/reconcile/reconcile-range';
import { readPhaseDetail } from '@/lib/runbook/read/read-phase-detail';
import { canSeeWorkerOutput } from '@/lib/runbook/worker-control/hide-worker-output';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Reconcile' };

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/**
 * Reconcile (docs/phases.md "Reconcile"): choose a range, read the preview — counts per kind, the
 * first minutes of each with both closes, the exact statements — and request it for that range;
 * an approver approves it on the Approvals page.
 */
export default async function ReconcilePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await requireUser();
  const raw = await searchParams;
  const from = first(raw.from)?.slice(0, 40);
  const to = first(raw.to)?.slice(0, 40);
  const options = from !== undefined && to !== undefined ? { from, to } : {};
  // A page view is a viewer's read, its preview included: the read pool, behind the viewer read limit
  // and its statement timeout (lib/db/read-limit.ts); the repair itself keeps the actions' pool.
  const read = await readForViewer(async (database) => ({
    now: (await loadClock(database.sql)).now(),
    detail: await readPhaseDetail(database, {
      phaseId: 'reconcile',
      options,
      showWorkerOutput: canSeeWorkerOutput(user.roles),
    }),
  }));
  if (!read.ok) return <ViewerReadRefused title="Reconcile" message={read.message} />;
  const { now, detail } = read.value;
  const range = reconcileRangeOf(options, now);
  const rows = detail.preview.estimates['rows to write'];
  const limit = detail.preview.estimates['size limit'];
  const available = detail.preconditions.every((c) => c.passed);
  return (
    <div className="space-y-5">
      <div>
        <Link href="/compare" className="text-sm text-sky-700 hover:underline">
          ← Compare
        </Link>
        <h1 className="mt-1 text-2xl font-semibold">Reconcile</h1>
        <p className="mt-1 max-w-4xl text-sm text-slate-700">{detail.description}</p>
      </div>
      <section className="rounded-lg border border-slate-200 bg-white p-4" aria-label="Preconditions">
        <h2 className="font-semibold">Preconditions</h2>
        <ChecksTable checks={detail.preconditions} label="Preconditions" />
      </section>
      <form method="get" className="flex flex-wrap items-end gap-3 text-sm" aria-label="Range">
        <label>
          <span className="block text-xs text-slate-500">From (UTC minute, e.g. 2026-12-07T10:00Z)</span>
          <input
            name="from"
            defaultValue={from ?? ''}
            required
            className="w-56 rounded border border-slate-300 px-2 py-1 font-mono"
          />
        </label>
        <label>
          <span className="block text-xs text-slate-500">To (UTC minute, exclusive)</span>
          <input
            name="to"
            defaultValue={to ?? ''}
            required
            className="w-56 rounded border border-slate-300 px-2 py-1 font-mono"
          />
        </label>
        <button type="submit" className="rounded bg-slate-900 px-3 py-1 text-white">
          Preview
        </button>
      </form>
      <ReconcileView
        canOperate={user.roles.includes('operator')}
        available={available}
        range={range.ok && from && to ? { from, to } : null}
        rowsToWrite={typeof rows === 'number' ? rows : null}
        maxRows={typeof limit === 'number' ? limit : null}
        initial={toJson({
          migration: detail.migration,
          runs: detail.runs,
          latest: detail.latest,
          events: detail.events,
          activeRun: detail.activeRun,
        })}
      />
      <SqlPreview preview={detail.preview} title="What it will run for this range" />
    </div>
  );
}
