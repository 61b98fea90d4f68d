/** One phase run in the migration report: who and when, its figures, verification evidence and log. */
import { describeAccountOrigin } from '@/lib/auth/account-origin';
import { formatDuration, formatUtc } from '@/lib/format';
import { PHASE_CATALOG } from '@/lib/runbook/phases';
import type { ReportPhaseRun } from '@/lib/runbook/read-run-report';

const EVIDENCE_CHARS = 3000;

export function reportJson(value: unknown, limit = EVIDENCE_CHARS): string {
  const text = JSON.stringify(value, null, 1) ?? '';
  return text.length > limit ? `${text.slice(0, limit)}\n… (${text.length - limit} more characters)` : text;
}

export function ReportVerdict({ value }: { value: string }) {
  return <span className={`verdict v-${value.replace(/\s+/g, '-')}`}>{value}</span>;
}

export function phaseLabel(entry: { number: number | null; title: string; run: { phase: string } }): string {
  // "Phase 4: …", "Phase 2 · Apply fix: …", "Rollback: …" — the registry's label of the run's phase.
  return `${PHASE_CATALOG.label(entry.run.phase)}: ${entry.title}`;
}

/** A run's figures, a row each (every run's in its section; the copy's also in the summary). */
export function ReportFigures({ figures, testId }: { figures: ReportPhaseRun['figures']; testId?: string }) {
  return (
    <table data-testid={testId}>
      <tbody>
        {figures.map((f) => (
          <tr key={f.name}>
            <th scope="row">{f.name}</th>
            <td className="num">{f.value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ReportPhaseSection({ entry }: { entry: ReportPhaseRun }) {
  const { run, approval } = entry;
  const duration = run.startedAt && run.finishedAt ? run.finishedAt.getTime() - run.startedAt.getTime() : null;
  return (
    <section className="phase" data-testid={`report-phase-run-${run.id}`} data-phase={run.phase}>
      <h3>
        {phaseLabel(entry)} — run #{run.id}
        {run.attempt > 1 ? ` (attempt ${run.attempt})` : ''} <ReportVerdict value={run.status} />
      </h3>
      <dl className="meta">
        <dt>Requested</dt>
        <dd>
          {run.requestedBy}, {formatUtc(run.requestedAt, 'second')}
          {Object.keys(run.options).length > 0 ? ` — options ${JSON.stringify(run.options)}` : ''}
        </dd>
        <dt>Approval</dt>
        <dd>
          {approval
            ? `${approval.kind}: ${approval.status}${approval.decidedBy ? ` by ${approval.decidedBy}, ${formatUtc(approval.decidedAt, 'second')}` : ''}${approval.reason ? ` — "${approval.reason}"` : ''}`
            : 'not required'}
        </dd>
        {approval?.requesterAccount || approval?.deciderAccount ? (
          <>
            <dt>Accounts</dt>
            <dd data-testid={`report-approval-accounts-${run.id}`}>
              {describeAccountOrigin(approval.requesterAccount)}; {describeAccountOrigin(approval.deciderAccount)}
            </dd>
          </>
        ) : null}
        <dt>Ran</dt>
        <dd>
          {run.startedAt
            ? `${formatUtc(run.startedAt, 'second')} → ${formatUtc(run.finishedAt, 'second')} (${formatDuration(duration)}) on runner ${entry.runners.join(', then ') || run.leaseOwner || '—'}`
            : 'not started'}
        </dd>
        <dt>Clock time</dt>
        <dd>
          {formatUtc(run.clockStartedAt, 'second')} → {formatUtc(run.clockFinishedAt, 'second')}
        </dd>
        {run.error ? (
          <>
            <dt>Error</dt>
            <dd>{run.error}</dd>
          </>
        ) : null}
      </dl>
      {entry.figures.length > 0 ? (
        <>
          <h4>Figures</h4>
          <ReportFigures figures={entry.figures} />
        </>
      ) : null}
      <h4>
        Verification {run.verification ? <ReportVerdict value={run.verification.passed ? 'PASS' : 'FAIL'} /> : null}
      </h4>
      {run.verification ? (
        <table data-testid={`report-verification-${run.id}`}>
          <thead>
            <tr>
              <th>check</th>
              <th>verdict</th>
              <th>detail and evidence</th>
            </tr>
          </thead>
          <tbody>
            {run.verification.checks.map((check) => (
              <tr key={check.name}>
                <td>{check.name}</td>
                <td>
                  <ReportVerdict value={check.passed ? 'PASS' : 'FAIL'} />
                </td>
                <td>
                  {check.detail}
                  {check.evidence !== undefined ? <pre>{reportJson(check.evidence)}</pre> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No verification recorded for this run ({run.status}).</p>
      )}
      {entry.events.length > 0 ? (
        <>
          <h4>Log</h4>
          <table>
            <tbody>
              {entry.events.map((event) => (
                <tr key={event.id}>
                  <td style={{ whiteSpace: 'nowrap' }}>{formatUtc(event.at, 'second')}</td>
                  <td>{event.level}</td>
                  <td>{event.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}
