import type { Metadata } from 'next';
import { Panel } from '@/components/panel';
import { StatusBadge } from '@/components/status-badge';
import { ValidateItems } from '@/components/validate-items';
import { ValidateNowForm } from '@/components/validate-now-form';
import { ValidateOverrideForm } from '@/components/validate-override-form';
import { ViewerReadRefused } from '@/components/viewer-read-refused';
import { requireUser } from '@/lib/auth/current-user';
import { hasAnyRole } from '@/lib/auth/roles';
import { readForViewer } from '@/lib/db/read-refusal';
import { readValidationGate, VALIDATION_VALID_HOURS } from '@/lib/runbook/validate/gate';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Validate' };

/**
 * Validate — before the night (docs/phases.md): the latest dry run of the whole plan against this
 * database, each item GO / NO-GO / FINDING with its reason, "Validate now" for operators, and an
 * admin's override. Phase 1 starts only after a GO from the last 24 hours (or the override).
 */
export default async function ValidatePage() {
  const user = await requireUser();
  // A viewer's read: the read pool, behind the viewer read limit (lib/db/read-limit.ts).
  const read = await readForViewer(({ sql }) => readValidationGate(sql));
  if (!read.ok) return <ViewerReadRefused title="Validate" message={read.message} />;
  const gate = read.value;
  const { latest, override } = gate;
  const identity = (latest?.databaseIdentity ?? {}) as Record<string, string | null>;
  const noGo = latest?.items.filter((i) => i.status === 'no-go') ?? [];
  return (
    <div className="space-y-5">
      <div>
        <h1 className="text-2xl font-semibold">Validate</h1>
        <p className="mt-1 max-w-4xl text-sm text-slate-700">
          A dry run of the whole plan against this database, changing nothing: the environment (which database, what the
          console’s role may do, the worker role and status command, pg_dump, clock skew), every phase’s preconditions
          and preview, and every stage that writes — tried on a few real keys in transactions that are rolled back.
          NO-GO means the plan cannot go through as it stands; a FINDING is something the plan’s own steps handle. Phase
          1 starts only after a GO from the last {VALIDATION_VALID_HOURS} hours.
        </p>
      </div>
      <Panel
        label="Latest validation"
        heading={
          <span className="flex flex-wrap items-center gap-2">
            Latest validation
            {latest ? (
              <StatusBadge tone={latest.verdict === 'go' ? 'good' : 'bad'}>
                {latest.verdict === 'go' ? 'GO' : 'NO-GO'}
              </StatusBadge>
            ) : (
              <StatusBadge tone="neutral">none yet</StatusBadge>
            )}
          </span>
        }
      >
        {latest ? (
          <p className="mt-1 text-sm text-slate-700">
            #{latest.id} by {latest.requestedBy}, finished{' '}
            <time dateTime={latest.finishedAt.toISOString()}>{latest.finishedAt.toISOString()}</time> (
            {Math.max(0, (latest.finishedAt.getTime() - latest.startedAt.getTime()) / 1000).toFixed(1)} s) on{' '}
            {identity.database ?? '?'} (PostgreSQL {identity.serverVersion ?? '?'}
            {identity.systemIdentifier ? `, system ${identity.systemIdentifier}` : ''}
            {identity.address ? `, ${identity.address}` : ''}) as {identity.consoleRole ?? '?'}
            {noGo.length > 0 ? ` — ${noGo.length} NO-GO` : ''}.
          </p>
        ) : (
          <p className="mt-1 text-sm text-slate-700">No validation has run on this database.</p>
        )}
        <p className="mt-1 text-sm">
          Phase 1: <strong>{gate.passed ? 'may start' : 'refused'}</strong> — {gate.detail}.
        </p>
        <div className="mt-3">
          <ValidateNowForm canValidate={hasAnyRole(user.roles, ['operator'])} />
        </div>
      </Panel>
      {latest ? (
        <Panel label="Items" heading={`Items (${latest.items.length})`}>
          <div className="mt-2">
            <ValidateItems items={latest.items} />
          </div>
        </Panel>
      ) : null}
      {override ? (
        <Panel label="Latest override" heading="Latest override">
          <p className="mt-1 text-sm text-slate-700">
            By {override.overriddenBy} at{' '}
            <time dateTime={override.createdAt.toISOString()}>{override.createdAt.toISOString()}</time>
            {override.validationId ? ` (over validation #${override.validationId})` : ' (no validation had run)'}:{' '}
            {override.reason}
            {gate.byOverride ? ' — in force for the next phase 1 start.' : ' — no longer in force.'}
          </p>
        </Panel>
      ) : null}
      {hasAnyRole(user.roles, ['admin']) && !(gate.passed && !gate.byOverride) ? <ValidateOverrideForm /> : null}
    </div>
  );
}
