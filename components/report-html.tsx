/**
 * The migration report as one self-contained HTML file (inline CSS and SVG, no script), for
 * `npm run cutover -- report N > report.html` (served by the CLI API, app/api/cli): the same
 * component as the /runs/N/report page. react-dom/server is imported when called, not at the top:
 * Next.js refuses a static import of it in a route's module graph.
 */
import type { RunReport } from '@/lib/runbook/read/report/read-run-report';
import { RunReportDocument } from './report-document';

export async function renderRunReportHtml(report: RunReport): Promise<string> {
  const { renderToStaticMarkup } = await import('react-dom/server');
  const body = renderToStaticMarkup(<RunReportDocument report={report} />);
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Migration run #${report.migration.id} — DXY cutover report</title>`,
    '</head>',
    `<body style="margin:16px;background:#fff">${body}</body>`,
    '</html>',
    '',
  ].join('\n');
}
