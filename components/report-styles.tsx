/**
 * The report's own stylesheet, inlined (not Tailwind) so that the page and the self-contained HTML
 * file of `npm run cutover -- report N` look the same and need nothing else. Print rules give
 * clean A4 pages: the console's navigation is hidden, sections do not split mid-table row, and
 * colours print.
 */
export const REPORT_CSS = `
.run-report { font: 13px/1.45 ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: #0f172a; max-width: 190mm; margin: 0 auto; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.run-report h1 { font-size: 22px; margin: 0 0 4px; }
.run-report h2 { font-size: 17px; margin: 22px 0 8px; padding-bottom: 3px; border-bottom: 2px solid #0f172a; break-after: avoid; }
.run-report h3 { font-size: 14px; margin: 14px 0 6px; break-after: avoid; }
.run-report h4 { font-size: 12px; margin: 10px 0 4px; color: #334155; break-after: avoid; }
.run-report p { margin: 4px 0; }
.run-report .muted { color: #64748b; }
.run-report .meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 8px 0; }
.run-report .meta dt { color: #475569; }
.run-report .meta dd { margin: 0; }
.run-report table { border-collapse: collapse; width: 100%; margin: 6px 0; font-size: 11.5px; }
.run-report th, .run-report td { border: 1px solid #cbd5e1; padding: 3px 6px; text-align: left; vertical-align: top; }
.run-report th { background: #f1f5f9; }
.run-report thead { display: table-header-group; }
.run-report tr { break-inside: avoid; }
.run-report .nowrap { white-space: nowrap; }
.run-report td.num { text-align: right; font-variant-numeric: tabular-nums; }
.run-report pre { white-space: pre-wrap; word-break: break-word; font: 10.5px/1.35 ui-monospace, Menlo, Consolas, monospace;
  background: #f8fafc; border: 1px solid #e2e8f0; padding: 6px; margin: 4px 0; }
.run-report .verdict { font-weight: 600; padding: 0 5px; border-radius: 3px; white-space: nowrap; }
.run-report .v-PASS, .run-report .v-succeeded, .run-report .v-approved { background: #d1fae5; color: #065f46; }
.run-report .v-WARN, .run-report .v-paused, .run-report .v-pending, .run-report .v-awaiting-approval, .run-report .v-aborted { background: #fef3c7; color: #92400e; }
.run-report .v-FAIL, .run-report .v-failed, .run-report .v-rejected { background: #fee2e2; color: #991b1b; }
.run-report .v-not-taken, .run-report .v-running { background: #e2e8f0; color: #334155; }
.run-report .v-provisional { background: repeating-linear-gradient(45deg, #fff 0 3px, #e2e8f0 3px 6px); color: #334155; outline: 1px dashed #64748b; }
.run-report .phase { border-top: 1px solid #94a3b8; padding-top: 6px; margin-top: 14px; }
.run-report .charts { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 14px; }
.run-report figure { margin: 0; break-inside: avoid; }
.run-report figcaption { font-size: 11.5px; font-weight: 600; }
.run-report .strip { display: grid; grid-template-columns: repeat(24, 1fr); gap: 2px; margin: 6px 0; padding: 0; list-style: none; }
.run-report .strip li { font-size: 8.5px; text-align: center; padding: 3px 0; border-radius: 2px; }
.run-report .summary-grid { display: grid; grid-template-columns: repeat(4, 1fr); gap: 6px; margin: 8px 0; }
.run-report .summary-grid div { border: 1px solid #cbd5e1; border-radius: 4px; padding: 5px 8px; }
.run-report .summary-grid strong { display: block; font-size: 16px; }
.run-report .sign { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; margin-top: 18px; break-inside: avoid; }
.run-report .sign div { border-top: 1px solid #0f172a; padding-top: 4px; margin-top: 36px; color: #475569; }
@page { size: A4; margin: 14mm 12mm 16mm; }
@media print {
  body:has(.run-report) { background: #fff !important; }
  body:has(.run-report) :is(nav, header, [role="banner"], [role="alert"], [data-print-hide]):not(.run-report *) { display: none !important; }
  /* Whatever else the console's layout puts beside the page (banners, menus) stays off the paper. */
  body:has(.run-report) :has(> main) > :not(main) { display: none !important; }
  body:has(.run-report) main { max-width: none !important; margin: 0 !important; padding: 0 !important; }
  .run-report { max-width: none; }
  .no-print { display: none !important; }
  .run-report h2 { break-before: auto; }
  .run-report .page-break { break-before: page; }
}
`;

export function ReportStyles() {
  // biome-ignore lint/security/noDangerouslySetInnerHtml: a constant stylesheet of ours, not user input
  return <style dangerouslySetInnerHTML={{ __html: REPORT_CSS }} />;
}
