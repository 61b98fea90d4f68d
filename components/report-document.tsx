/**
 * The migration report of one migration run, for the change record: the same markup on the
 * printable page (/runs/N/report) and in the self-contained file of `npm run cutover -- report N`.
 * Page one, then the phases in sentences, the sign-off, and the appendix (closed). The words come
 * from the report's model (lib/runbook/read/report/); this renders them. A server component without
 * client code: it prints, and the saved file needs no script.
 */

import type { ReactNode } from 'react';
import { buildReportDocument } from '@/lib/runbook/read/report/build-report-document';
import type { RunReport } from '@/lib/runbook/read/report/read-run-report';
import { ReportAppendix } from './report-appendix';
import { ReportPageOne } from './report-page-one';
import { ReportPhaseSection } from './report-phase-section';
import { ReportStyles } from './report-styles';
import { ValidateReportSection } from './validate-report-section';

export function RunReportDocument({ report, actions }: { report: RunReport; actions?: ReactNode }) {
  const document = buildReportDocument(report);
  return (
    <article className="run-report" data-testid="run-report">
      <ReportStyles />
      <header className="report-head">
        {actions ? (
          <div className="no-print" style={{ float: 'right' }}>
            {actions}
          </div>
        ) : null}
        <h1>{document.title}</h1>
        <p className="muted">{document.subtitle}</p>
      </header>
      <ReportPageOne page={document.pageOne} />

      <h2 className="page-break">The phases in detail</h2>
      <ValidateReportSection dryRun={report.dryRun} />
      {document.phases.map((section) => (
        <ReportPhaseSection key={section.key} section={section} />
      ))}

      <div className="sign">
        <div>Operator (name, date, signature)</div>
        <div>Approver (name, date, signature)</div>
      </div>

      <ReportAppendix sections={document.appendix} />
    </article>
  );
}
