/** One phase in the migration report: sentences, a small table of figures, its checks in words (phase 8: its charts). */
import type { PhaseSection } from '@/lib/runbook/read/report/report-model';
import { ReportBadge } from './report-badge';
import { ReportCheckChart } from './report-check-chart';

export function ReportPhaseSection({ section }: { section: PhaseSection }) {
  return (
    <section
      className="phase"
      data-testid={section.runId !== null ? `report-phase-run-${section.runId}` : 'report-window'}
      data-phase={section.phase}
    >
      <h3>
        {section.heading} <ReportBadge badge={section.status} />
      </h3>
      <p>{section.sentences.join(' ')}</p>
      {section.figures.length > 0 ? (
        <table className="figures">
          <tbody>
            {section.figures.map((f) => (
              <tr key={f.label}>
                <th scope="row">{f.label}</th>
                <td>{f.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {section.checks.length > 0 ? (
        <>
          <p className="checks-summary">{section.checksSummary}</p>
          <table className="checks" data-testid={`report-verification-${section.runId}`}>
            <tbody>
              {section.checks.map((check) => (
                <tr key={check.name}>
                  <td className="check-verdict">
                    <ReportBadge badge={check.badge} />
                  </td>
                  <td className="check-name">{check.name}</td>
                  <td>{check.finding}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : section.checksSummary ? (
        <p className="muted">{section.checksSummary}</p>
      ) : null}
      {section.window ? (
        <>
          <div className="charts">
            {section.window.series.map((s) => (
              <ReportCheckChart key={s.key} series={s} />
            ))}
          </div>
          {section.window.notable.length > 0 ? (
            <table className="checks" data-testid="report-notable-hours">
              <thead>
                <tr>
                  <th>hour</th>
                  <th>verdict</th>
                  <th>what was off</th>
                </tr>
              </thead>
              <tbody>
                {section.window.notable.map((h) => (
                  <tr key={h.hour}>
                    <td className="nowrap">{h.hour}</td>
                    <td>
                      <ReportBadge badge={h.verdict} />
                    </td>
                    <td>{h.findings}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p>Every hour passed every check.</p>
          )}
        </>
      ) : null}
    </section>
  );
}
