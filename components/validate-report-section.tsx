import { formatUtc } from '@/lib/format';
import type { ReportValidationSection } from '@/lib/runbook/validate/report-section';

/** The migration report's "Dry run (validate)": what phase 1 stood on — the latest verdict, its NO-GO items, an override. */
export function ValidateReportSection({ dryRun }: { dryRun: ReportValidationSection }) {
  const { validation, override } = dryRun;
  return (
    <section data-testid="report-dry-run">
      <h3>Dry run (validate)</h3>
      {validation ? (
        <p>
          Validation #{validation.id} by {validation.requestedBy}, {formatUtc(validation.finishedAt, 'second')}:{' '}
          <strong>{validation.verdict === 'go' ? 'GO' : 'NO-GO'}</strong>
          {validation.findings > 0 ? ` (${validation.findings} findings the plan’s own steps handle)` : ''}.
        </p>
      ) : (
        <p className="muted">No validation ran before this migration run’s phase 1.</p>
      )}
      {validation && validation.noGo.length > 0 ? (
        <ul>
          {validation.noGo.map((item) => (
            <li key={`${item.name}:${item.reason}`}>
              NO-GO {item.name}: {item.reason}
            </li>
          ))}
        </ul>
      ) : null}
      {override ? (
        <p>
          Phase 1 started on an admin’s override: {override.overriddenBy}, {formatUtc(override.createdAt, 'second')} —{' '}
          {override.reason}
        </p>
      ) : null}
    </section>
  );
}
