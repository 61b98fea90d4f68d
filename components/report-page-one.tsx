/**
 * Page one of the migration report: the outcome, the timeline, the verdicts with the window's
 * strip, waivers and refusals, and the audit chain's head — what an approver signs on.
 */
import type { PageOne } from '@/lib/runbook/read/report/report-model';
import { ReportBadge } from './report-badge';

function Strip({ cells }: { cells: PageOne['strip'] }) {
  if (cells.length === 0) return null;
  return (
    <ol className="strip" aria-label="The hours of the window" data-testid="report-strip">
      {cells.map((cell) => (
        <li key={cell.index} className={`v-${cell.state.replace(' ', '-')}`} title={cell.title}>
          {cell.hour}
          <br />
          {cell.state === 'not taken' ? '—' : cell.state === 'provisional' ? 'prov.' : cell.state}
          {cell.late ? '*' : ''}
          {cell.waived ? ' w' : ''}
        </li>
      ))}
    </ol>
  );
}

export function ReportPageOne({ page }: { page: PageOne }) {
  return (
    <section className="page-one" data-testid="report-page-one">
      <div className={`outcome tone-box-${page.outcome.tone}`} data-testid="report-outcome">
        <strong>{page.outcome.headline}</strong>
        <p>{page.outcome.sentences.join(' ')}</p>
      </div>
      <dl className="facts">
        {page.facts.map((fact) => (
          <div key={fact.label}>
            <dt>{fact.label}</dt>
            <dd>{fact.value}</dd>
          </div>
        ))}
      </dl>

      <h2>Timeline</h2>
      <table data-testid="report-phase-table" className="timeline">
        <thead>
          <tr>
            <th>phase</th>
            <th>outcome</th>
            <th>requested by</th>
            <th>approved by</th>
            <th>finished (UTC)</th>
            <th>checks</th>
          </tr>
        </thead>
        <tbody>
          {page.timeline.map((row) => (
            <tr key={row.key} data-run-id={row.runId ?? undefined} data-phase={row.phase}>
              <td className="timeline-phase">
                {row.label}
                {row.runId !== null ? <span className="muted"> #{row.runId}</span> : null}
              </td>
              <td>
                <ReportBadge badge={row.status} />
              </td>
              <td>{row.requested}</td>
              <td>{row.approved}</td>
              <td className="nowrap">{row.finished}</td>
              <td>{row.checks}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">{page.clockNote}</p>

      <h2>Verdicts</h2>
      <div className="verdicts">
        {page.verdicts.map((card) => (
          <div key={card.key} className="card" data-testid={`report-verdict-${card.key}`}>
            <h3>{card.title}</h3>
            {card.lines.map((line) => (
              <p key={line.label}>
                <ReportBadge badge={line.badge} /> <b>{line.label}:</b> {line.text}
              </p>
            ))}
            {card.key === 'window' ? <Strip cells={page.strip} /> : null}
          </div>
        ))}
      </div>

      <h2>Waivers and refusals</h2>
      {page.waivers.length === 0 ? (
        <p data-testid="report-waivers">No waiver: no FAIL hour and no final-proof difference was waived.</p>
      ) : (
        <table data-testid="report-waivers">
          <thead>
            <tr>
              <th>waived</th>
              <th>by</th>
              <th>reason</th>
            </tr>
          </thead>
          <tbody>
            {page.waivers.map((w) => (
              <tr key={`${w.what}:${w.by}`}>
                <td>{w.what}</td>
                <td>
                  {w.by}
                  {w.at ? <span className="muted">, {w.at}</span> : null}
                </td>
                <td>{w.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page.refusals.length === 0 ? (
        <p data-testid="report-refusals">No refusal: no request was rejected and no action refused during the run.</p>
      ) : (
        <table data-testid="report-refusals">
          <thead>
            <tr>
              <th>refused</th>
              <th>who</th>
              <th>when (first)</th>
              <th>reason</th>
            </tr>
          </thead>
          <tbody>
            {page.refusals.map((r) => (
              <tr key={`${r.what}:${r.by}:${r.at}:${r.reason}`}>
                <td>
                  {r.what}
                  {r.count > 1 ? ` (×${r.count})` : ''}
                </td>
                <td>{r.by}</td>
                <td className="nowrap">{r.at}</td>
                <td>{r.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>Audit chain</h2>
      <p data-testid="report-audit-chain">
        <ReportBadge badge={page.auditHead.intact ? { text: 'PASS', tone: 'good' } : { text: 'FAIL', tone: 'bad' }} />{' '}
        {page.auditHead.text}
      </p>
      <p className="muted" data-testid="report-audit-shown">
        {page.auditHead.shown} The events are listed in the appendix.
      </p>
    </section>
  );
}
