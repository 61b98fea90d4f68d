import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ChecksTable } from '@/components/checks-table';
import { LegacyFencePanel } from '@/components/legacy-fence-panel';
import { PacingForm } from '@/components/pacing-form';
import { PhaseLiveView } from '@/components/phase-live-view';
import { PhaseStageList } from '@/components/phase-stage-list';
import { PhaseTabs } from '@/components/phase-tabs';
import { SqlPreview } from '@/components/sql-preview';
import { ViewerReadRefused } from '@/components/viewer-read-refused';
import { requireUser } from '@/lib/auth/current-user';
import { readForViewer } from '@/lib/db/read-refusal';
import { formatUtc } from '@/lib/format';
import { toJson } from '@/lib/json';
import { plainPacingLimits, readPacingLimits } from '@/lib/runbook/engine/pacing/pacing-limits';
import { PHASE_CATALOG } from '@/lib/runbook/phases';
import { readPhaseDetail } from '@/lib/runbook/read/read-phase-detail';
import { canSeeWorkerOutput } from '@/lib/runbook/worker-control/hide-worker-output';

export const dynamic = 'force-dynamic';

/** The pages whose phases pace their batches (docs/operations.md "Pacing"): they show the live limits. */
const PACED_PHASES = new Set(['2', '4', '9']);

export async function generateMetadata({ params }: { params: Promise<{ phase: string }> }): Promise<Metadata> {
  const phase = PHASE_CATALOG.pagePhase((await params).phase);
  return { title: phase ? `${PHASE_CATALOG.label(phase.id)} · ${phase.title}` : 'Not found' };
}

/** The page of each phase whose route is /phases/<id> (phase 8 is the monitor's, the rollback has its own). */
export default async function PhasePage({ params }: { params: Promise<{ phase: string }> }) {
  const phase = PHASE_CATALOG.pagePhase((await params).phase);
  if (!phase) notFound();
  const user = await requireUser();
  // A page view is a viewer's read, its preview's rolled-back rehearsals included: the read pool, behind
  // the viewer read limit and its statement timeout (lib/db/read-limit.ts); runs keep the actions' pool.
  const read = await readForViewer((database) =>
    readPhaseDetail(database, { phaseId: phase.id, showWorkerOutput: canSeeWorkerOutput(user.roles) }),
  );
  if (!read.ok)
    return <ViewerReadRefused title={`${PHASE_CATALOG.label(phase.id)}: ${phase.title}`} message={read.message} />;
  const detail = read.value;
  const pacing = PACED_PHASES.has(phase.id) ? await readForViewer((database) => readPacingLimits(database.sql)) : null;
  const preconditionsPass = detail.preconditions.every((c) => c.passed);
  return (
    <div className="space-y-5">
      <div>
        <PhaseTabs current={phase.id} />
        <h1 className="mt-3 text-2xl font-semibold">
          Phase {detail.number}: {detail.title}
        </h1>
        <p className="mt-1 max-w-4xl text-sm text-slate-700">{detail.description}</p>
        {detail.migration ? (
          <Link
            className="mt-1 inline-block text-sm text-sky-700 underline"
            href={`/runs/${detail.migration.id}/report`}
          >
            Migration report of run #{detail.migration.id}
          </Link>
        ) : null}
      </div>
      <section className="rounded-lg border border-slate-200 bg-white p-4" aria-label="Preconditions">
        <h2 className="font-semibold">Preconditions {preconditionsPass ? '— all met' : '— not met'}</h2>
        <ChecksTable checks={detail.preconditions} label="Preconditions" />
      </section>
      <PhaseLiveView
        phase={phase.id}
        number={detail.number ?? 0}
        pausable={detail.pausable}
        canOperate={user.roles.includes('operator')}
        preconditionsPass={preconditionsPass}
        actions={detail.actions.map((action) => ({
          id: action.id,
          label: action.label,
          // An action with nothing to run now (the schema is complete) is not offered.
          needed: action.preview.sql.length > 0,
          // One whose preconditions fail (no phase 1 yet) is shown but cannot be clicked.
          blockedBy:
            action.preconditions
              .filter((c) => !c.passed)
              .map((c) => `${c.name}: ${c.detail}`)
              .join('; ') || null,
        }))}
        initial={toJson({
          migration: detail.migration,
          runs: detail.runs,
          latest: detail.latest,
          events: detail.events,
          activeRun: detail.activeRun,
        })}
      />
      {pacing?.ok ? (
        <PacingForm
          limits={plainPacingLimits(pacing.value)}
          updated={pacing.value.updatedAt ? `${formatUtc(pacing.value.updatedAt)} by ${pacing.value.updatedBy}` : null}
          canOperate={user.roles.includes('operator')}
        />
      ) : null}
      {detail.legacyFence ? <LegacyFencePanel fence={detail.legacyFence} /> : null}
      <PhaseStageList
        stages={phase.stages}
        current={typeof detail.latest?.checkpoint.stage === 'string' ? detail.latest.checkpoint.stage : null}
        runStatus={detail.latest?.status ?? null}
      />
      <SqlPreview preview={detail.preview} title="What it will run" />
      {detail.actions.map((action) => (
        <SqlPreview key={action.id} preview={action.preview} title={`${action.label}: ${action.previewHeading}`} />
      ))}
    </div>
  );
}
