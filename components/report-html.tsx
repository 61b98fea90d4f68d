/**
 * The migration report as one self-contained HTML file (inline CSS and SVG, no script), for
 * `npm run cutover -- report N > report.html`: the same component as the /runs/N/report page.
 */
import { renderToStaticMarkup } from 'react-dom/server';
import type { RunReport } from '@/lib/runbook/read-run-report';
import { RunReportDocument } from './report-document';

export function renderRunReportHtml(report: RunReport): string {
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
