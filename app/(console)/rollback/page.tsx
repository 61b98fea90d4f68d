import type { Metadata } from 'next';
import Link from 'next/link';
import { AbandonRunForm } from '@/components/abandon-run-form';
import { ChecksTable } from '@/components/checks-table';
import { PacingForm } from '@/components/pacing-form';
import { RollbackView } from '@/components/rollback-view';
import { SqlPreview } from '@/components/sql-preview';
import { ViewerReadRefused } from '@/components/viewer-read-refused';
import { requireUser } from '@/lib/auth/current-user';
import { readForViewer } from '@/lib/db/read-refusal';
import { formatUtc } from '@/lib/format';
import { toJson } from '@/lib/json';
import { plainPacingLimits, readPacingLimits } from '@/lib/runbook/engine/pacing/pacing-limits';
import { readPhaseDetail } from '@/lib/runbook/read/read-phase-detail';
import { canSeeWorkerOutput } from '@/lib/runbook/worker-control/hide-worker-output';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Rollback' };

export default async function RollbackPage() {
  const user = await requireUser();
  // A page view is a viewer's read, both previews' rolled-back rehearsals included: the read pool, behind
  // the viewer read limit and its statement timeout (lib/db/read-limit.ts); the rollback keeps the actions' pool.
  const read = await readForViewer((database) =>
    Promise.all([
      readPhaseDetail(database, {
        phaseId: 'rollback',
        options: { data: 'keep' },
        showWorkerOutput: canSeeWorkerOutput(user.roles),
      }),
      readPhaseDetail(database, { phaseId: 'rollback', options: { data: 'delete' } }),
      readPacingLimits(database.sql),
    ]),
  );
  if (!read.ok) return <ViewerReadRefused title="Rollback" message={read.message} />;
  const [keep, remove, pacing] = read.value;
  const available = keep.preconditions.every((c) => c.passed);
  return (
    <div className="space-y-5">
      <div>
        <Link href="/" className="text-sm text-sky-700 hover:underline">
          ← Overview
        </Link>
        <h1 className="mt-1 text-2xl font-semibold">Rollback</h1>
        <p className="mt-1 max-w-4xl text-sm text-slate-700">{keep.description}</p>
      </div>
      <section className="rounded-lg border border-slate-200 bg-white p-4" aria-label="Preconditions">
        <h2 className="font-semibold">Preconditions</h2>
        <ChecksTable checks={keep.preconditions} label="Preconditions" />
      </section>
      <RollbackView
        canOperate={user.roles.includes('operator')}
        available={available}
        initial={toJson({
          migration: keep.migration,
          runs: keep.runs,
          latest: keep.latest,
          events: keep.events,
          activeRun: keep.activeRun,
        })}
      />
      {/* The restore and the back-fill pace their batches (docs/operations.md "Pacing"). */}
      <PacingForm
        limits={plainPacingLimits(pacing)}
        updated={pacing.updatedAt ? `${formatUtc(pacing.updatedAt)} by ${pacing.updatedBy}` : null}
        canOperate={user.roles.includes('operator')}
      />
      {keep.migration?.status === 'active' && user.roles.includes('operator') ? (
        <AbandonRunForm migrationRunId={keep.migration.id} />
      ) : null}
      <div className="grid gap-5 lg:grid-cols-2">
        <SqlPreview preview={keep.preview} title="With “keep”: what it will run" />
        <SqlPreview preview={remove.preview} title="With “delete”: what it will run" />
      </div>
    </div>
  );
}
