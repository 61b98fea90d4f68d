/**
 * The migration report of one migration run, for the change record: the same markup on the
 * printable page (/runs/N/report) and in the self-contained file of `npm run cutover -- report N`.
 * A server component without client code: it prints, and the saved file needs no script.
 */

import type { ReactNode } from 'react';
import { formatCount, formatUtc } from '@/lib/format';
import { PHASE_CATALOG } from '@/lib/runbook/phases';
import type { RunReport } from '@/lib/runbook/read-run-report';
import { ReportCheckChart, reportCheckSeries } from './report-check-chart';
import { phaseLabel, ReportFigures, ReportPhaseSection, ReportVerdict, reportJson } from './report-phase-section';
import { ReportStyles } from './report-styles';
import { ValidateReportSection } from './validate-report-section';

/** Month-day hour:minute: the table's header says the times are UTC. */
function shortUtc(value: Date | null): string {
  return value ? value.toISOString().slice(5, 16).replace('T', ' ') : '—';
}

function Summary({ report }: { report: RunReport }) {
  const latest = new Map(report.phaseRuns.map((p) => [p.run.phase, p]));
  const succeeded = [...latest.values()].filter((p) => p.run.status === 'succeeded').length;
  const copyRows = report.copy?.run.checkpoint.rowsWritten;
  const items = [
    ['Phases succeeded', `${succeeded} / ${latest.size}`],
    ['Rows copied (phase 4)', typeof copyRows === 'number' ? formatCount(copyRows) : '—'],
    ['Hours taken', report.window ? `${report.hours.filter((h) => h.takenAt).length} / ${report.hours.length}` : '—'],
    [
      'PASS / WARN / FAIL',
      `${report.verdictCounts.PASS} / ${report.verdictCounts.WARN} / ${report.verdictCounts.FAIL}`,
    ],
    ['Waived hours', String(report.waivers.length)],
    ['Legacy rows soft-deleted', formatCount(report.softDelete.softDeleted)],
    ['Restored by rollback', formatCount(report.softDelete.restored)],
    // "N of M": a run with more events than the report holds says so here too.
    [
      'Audit events',
      report.auditShown.total > report.audit.length
        ? `${formatCount(report.audit.length)} of ${formatCount(report.auditShown.total)}`
        : formatCount(report.audit.length),
    ],
  ];
  return (
    <div className="summary-grid">
      {items.map(([label, value]) => (
        <div key={label}>
          <span className="muted">{label}</span>
          <strong>{value}</strong>
        </div>
      ))}
    </div>
  );
}

export function RunReportDocument({ report, actions }: { report: RunReport; actions?: ReactNode }) {
  const { migration } = report;
  const series = reportCheckSeries(report.hours);
  return (
    <article className="run-report" data-testid="run-report">
      <ReportStyles />
      <header className="report-head">
        {actions ? (
          <div className="no-print" style={{ float: 'right' }}>
            {actions}
          </div>
        ) : null}
        <h1>DXY cutover — migration run #{migration.id}</h1>
        <p>
          Moving the DXY 1-minute bars from <code>derived_data_bars</code> to <code>data_bars</code> (nine-phase plan,
          24-hour overlap).
        </p>
        <dl className="meta">
          <dt>Status</dt>
          <dd>
            <ReportVerdict value={migration.status} />
          </dd>
          <dt>Started</dt>
          <dd>
            {migration.startedBy}, {formatUtc(migration.startedAt, 'second')}
          </dd>
          <dt>Closed</dt>
          <dd>{migration.closedAt ? formatUtc(migration.closedAt, 'second') : 'not closed'}</dd>
          <dt>Report generated</dt>
          <dd>{formatUtc(report.generatedAt, 'second')}</dd>
        </dl>
      </header>
      <Summary report={report} />
      <ValidateReportSection dryRun={report.dryRun} />

      <h2>Phases</h2>
      <table data-testid="report-phase-table">
        <thead>
          <tr>
            <th>run</th>
            <th>phase</th>
            <th>status</th>
            <th>requested by</th>
            <th>approved by</th>
            <th>started</th>
            <th>finished</th>
            <th>verification</th>
          </tr>
        </thead>
        <tbody>
          {report.phaseRuns.map((entry) => (
            <tr key={entry.run.id}>
              <td className="num">#{entry.run.id}</td>
              <td>{phaseLabel(entry)}</td>
              <td>
                <ReportVerdict value={entry.run.status} />
              </td>
              <td>{entry.run.requestedBy}</td>
              <td>{entry.approval?.decidedBy ?? '—'}</td>
              <td>{formatUtc(entry.run.startedAt)}</td>
              <td>{formatUtc(entry.run.finishedAt)}</td>
              <td>
                {entry.run.verification
                  ? `${entry.run.verification.checks.filter((c) => c.passed).length}/${entry.run.verification.checks.length} checks passed`
                  : '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>Backup (phase 1)</h2>
      {report.backup ? (
        <>
          <p>
            Backup #{report.backup.id} taken {formatUtc(report.backup.takenAt, 'second')}:{' '}
            {report.backup.verified ? 'verified (counts and checksums match)' : 'NOT verified'}. pg_dump:{' '}
            {report.backup.dumpFile ?? report.backup.dumpNote ?? 'none'}.
          </p>
          <pre>{reportJson(report.backup.tables)}</pre>
        </>
      ) : (
        <p className="muted">No backup recorded for this run.</p>
      )}

      <h2>The copy (phase 4)</h2>
      {report.copy ? (
        <ReportFigures figures={report.copy.figures} testId="report-copy" />
      ) : (
        <p className="muted">The copy has not succeeded in this run.</p>
      )}

      <h2 className="page-break">The 24-hour window (phase 8)</h2>
      {report.window ? (
        <>
          <p>
            From the verified end of phase 7 ({formatUtc(report.window.startedAt)}): hours{' '}
            {formatUtc(report.window.firstHour)} to {formatUtc(report.window.endsAt)}.
          </p>
          <ol className="strip" aria-label="The hours of the window">
            {report.hours.map((hour) => (
              <li key={hour.index} className={`v-${hour.state.replace(' ', '-')}`} title={formatUtc(hour.hourStart)}>
                {hour.hourStart.toISOString().slice(11, 13)}h<br />
                {hour.state === 'not taken' ? '—' : hour.state}
                {hour.late ? '*' : ''}
                {hour.waivedBy ? ' w' : ''}
              </li>
            ))}
          </ol>
          <div className="charts">
            {series.map((s) => (
              <ReportCheckChart key={s.key} series={s} />
            ))}
          </div>
          <table data-testid="report-hours">
            <thead>
              <tr>
                <th>#</th>
                <th>hour (UTC)</th>
                <th>verdict</th>
                <th>taken (UTC)</th>
                {series.map((s) => (
                  <th key={s.key}>{s.name}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {report.hours.map((hour) => (
                <tr key={hour.index} data-testid="report-hour">
                  <td className="num">{hour.index + 1}</td>
                  <td className="nowrap">{shortUtc(hour.hourStart)}</td>
                  <td>
                    <ReportVerdict value={hour.state} />
                    {hour.waivedBy ? ' waived' : ''}
                  </td>
                  <td className="nowrap">
                    {shortUtc(hour.takenAt)}
                    {hour.late ? ' (late)' : ''}
                  </td>
                  {series.map((s) => {
                    const check = hour.checks.find((c) => c.key === s.key);
                    return (
                      <td key={s.key} className="num" title={check?.detail}>
                        {check ? `${check.value} ${check.verdict}` : '—'}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : (
        <p className="muted">The window has not started: phase 7 has not succeeded in this run.</p>
      )}

      <h2>Waivers</h2>
      {report.waivers.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th>hour</th>
              <th>waived by</th>
              <th>reason</th>
            </tr>
          </thead>
          <tbody>
            {report.waivers.map((w) => (
              <tr key={w.hourStart.toISOString()}>
                <td>{formatUtc(w.hourStart)}</td>
                <td>{w.waivedBy}</td>
                <td>{w.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>No hour was waived.</p>
      )}

      <h2>Soft-delete and rollback</h2>
      <p data-testid="report-soft-delete">
        Legacy DXY 1m rows soft-deleted by this run: {formatCount(report.softDelete.softDeleted)}; restored by a
        rollback: {formatCount(report.softDelete.restored)}.
      </p>
      {report.rollbacks.length > 0 ? (
        <ul>
          {report.rollbacks.map((r) => (
            <li key={r.run.id}>
              Rollback run #{r.run.id} ({String(r.run.options.data ?? '')}): {r.run.status}
              {r.figures.length > 0 ? ` — ${r.figures.map((f) => `${f.name} ${f.value}`).join(', ')}` : ''}
            </li>
          ))}
        </ul>
      ) : (
        <p>No rollback in this run.</p>
      )}

      <h2 className="page-break">Each phase: what it runs, and its evidence</h2>
      {report.previews.map((p) => (
        <section key={p.phase} data-testid={`report-preview-${p.phase}`}>
          <h3>
            Preview — {PHASE_CATALOG.label(p.phase)}: {p.title}
          </h3>
          {p.preview ? (
            <>
              <ol>
                {p.preview.summary.map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ol>
              {p.preview.sql.length > 0 ? <pre>{p.preview.sql.join('\n\n')}</pre> : null}
            </>
          ) : (
            <p className="muted">Preview not available now: {p.unavailable}</p>
          )}
        </section>
      ))}
      <p className="muted">
        Previews are rendered from the runbook when this report is generated; estimates are today's numbers.
      </p>
      {report.phaseRuns.map((entry) => (
        <ReportPhaseSection key={entry.run.id} entry={entry} />
      ))}

      <h2 className="page-break">Audit events of the run</h2>
      <p data-testid="report-audit-chain">
        <ReportVerdict value={report.auditChain.state.intact ? 'PASS' : 'FAIL'} /> {report.auditChain.description}{' '}
        Events from {formatUtc(migration.startedAt, 'second')} to{' '}
        {migration.closedAt ? formatUtc(migration.closedAt, 'second') : 'now'}, sign-ins excluded.
      </p>
      <p data-testid="report-audit-shown">{report.auditShown.description}</p>
      <table data-testid="report-audit">
        <thead>
          <tr>
            <th>#</th>
            <th>time</th>
            <th>user</th>
            <th>action</th>
            <th>outcome</th>
            <th>inputs / detail</th>
          </tr>
        </thead>
        <tbody>
          {report.audit.map((event) => (
            <tr key={event.id}>
              <td className="num">{event.id}</td>
              <td style={{ whiteSpace: 'nowrap' }}>{formatUtc(event.at, 'second')}</td>
              <td>{event.username ?? '—'}</td>
              <td>{event.action}</td>
              <td>
                <ReportVerdict value={event.outcome === 'ok' ? 'PASS' : 'FAIL'} /> {event.outcome}
              </td>
              <td>
                <pre>{reportJson({ inputs: event.inputs, detail: event.detail }, 600)}</pre>
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <div className="sign">
        <div>Operator (name, date, signature)</div>
        <div>Approver (name, date, signature)</div>
      </div>
    </article>
  );
}
