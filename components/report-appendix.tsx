/**
 * The migration report's appendix of raw evidence, closed by default: on screen one click opens it,
 * and a closed <details> prints as its one summary line, so the paper holds what people read.
 */
import type { AppendixSection } from '@/lib/runbook/read/report/report-model';

export function ReportAppendix({ sections }: { sections: AppendixSection[] }) {
  const entries = sections.reduce((sum, s) => sum + s.entries.length, 0);
  return (
    <details className="appendix" data-testid="report-appendix">
      <summary>
        Appendix — raw evidence ({entries} blocks: stored figures, check evidence, logs, previews and SQL, the window
        hour by hour, audit events). Open to read; it prints collapsed.
      </summary>
      {sections.map((section) => (
        <section key={section.key}>
          <h3>{section.title}</h3>
          {section.entries.map((entry) => (
            <div key={entry.title} data-testid={entry.testId}>
              <h4>{entry.title}</h4>
              {entry.text !== undefined ? <pre>{entry.text}</pre> : null}
              {entry.table ? (
                <table>
                  <thead>
                    <tr>
                      {entry.table.head.map((h) => (
                        <th key={h}>{h}</th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {entry.table.rows.map((row) => (
                      <tr key={row[0]} data-testid={entry.table?.rowTestId}>
                        {row.map((cell, index) => (
                          // biome-ignore lint/suspicious/noArrayIndexKey: a row's cells are positional
                          <td key={index}>{cell.length > 120 || cell.includes('\n') ? <pre>{cell}</pre> : cell}</td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : null}
            </div>
          ))}
        </section>
      ))}
    </details>
  );
}
