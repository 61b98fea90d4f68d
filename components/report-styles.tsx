/**
 * The report's own stylesheet, inlined (not Tailwind) so that the page and the self-contained HTML
 * file of `npm run cutover -- report N` look the same and need nothing else. Print rules give
 * clean A4 pages: the console's navigation is hidden, sections do not split mid-table row, and
 * colours print.
 */
export const REPORT_CSS = `
.run-report { font: 12px/1.4 ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: #0f172a; max-width: 190mm; margin: 0 auto; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
/* The console's base stylesheet resets headings to body weight: the report sets its own. */
.run-report :is(h1, h2, h3, h4) { font-weight: 700; }
.run-report h1 { font-size: 20px; margin: 0 0 2px; }
.run-report h2 { font-size: 15px; margin: 14px 0 6px; padding-bottom: 2px; border-bottom: 2px solid #0f172a; break-after: avoid; }
.run-report h3 { font-size: 13px; margin: 10px 0 4px; break-after: avoid; }
.run-report h4 { font-size: 11.5px; margin: 8px 0 3px; color: #334155; break-after: avoid; }
.run-report p { margin: 3px 0; }
.run-report .muted { color: #64748b; }
.run-report table { border-collapse: collapse; width: 100%; margin: 4px 0; font-size: 10.5px; }
.run-report th, .run-report td { border: 1px solid #cbd5e1; padding: 2px 5px; text-align: left; vertical-align: top; }
.run-report th { background: #f1f5f9; font-weight: 600; }
.run-report thead { display: table-header-group; }
.run-report tr { break-inside: avoid; }
.run-report .nowrap { white-space: nowrap; }
.run-report pre { white-space: pre-wrap; word-break: break-word; font: 10px/1.35 ui-monospace, Menlo, Consolas, monospace;
  background: #f8fafc; border: 1px solid #e2e8f0; padding: 5px; margin: 3px 0; }
.run-report .verdict { font-weight: 600; padding: 0 4px; border-radius: 3px; white-space: nowrap; font-size: 10.5px; }
.run-report .tone-good { background: #d1fae5; color: #065f46; }
.run-report .tone-attention { background: #fef3c7; color: #92400e; }
.run-report .tone-bad { background: #fee2e2; color: #991b1b; }
.run-report .tone-neutral { background: #e2e8f0; color: #334155; }
.run-report .outcome { border-left: 5px solid; padding: 6px 10px; margin: 8px 0 6px; border-radius: 3px; }
.run-report .outcome strong { font-size: 14px; display: block; }
.run-report .tone-box-good { border-color: #059669; background: #ecfdf5; }
.run-report .tone-box-attention { border-color: #d97706; background: #fffbeb; }
.run-report .tone-box-bad { border-color: #dc2626; background: #fef2f2; }
.run-report .tone-box-neutral { border-color: #64748b; background: #f8fafc; }
.run-report .facts { display: flex; flex-wrap: wrap; gap: 2px 18px; margin: 4px 0; }
.run-report .facts dt { display: inline; color: #475569; }
.run-report .facts dt::after { content: ": "; }
.run-report .facts dd { display: inline; margin: 0; }
.run-report .verdicts { display: grid; grid-template-columns: 1fr 1fr; gap: 6px 10px; }
.run-report .card { border: 1px solid #cbd5e1; border-radius: 4px; padding: 4px 8px; break-inside: avoid; font-size: 11px; }
.run-report .card h3 { margin: 0 0 3px; font-size: 12px; }
.run-report .v-PASS { background: #d1fae5; color: #065f46; }
.run-report .v-WARN { background: #fef3c7; color: #92400e; }
.run-report .v-FAIL { background: #fee2e2; color: #991b1b; }
.run-report .v-not-taken { background: #e2e8f0; color: #334155; }
.run-report .v-provisional { background: repeating-linear-gradient(45deg, #fff 0 3px, #e2e8f0 3px 6px); color: #334155; outline: 1px dashed #64748b; }
.run-report .strip { display: grid; grid-template-columns: repeat(12, 1fr); gap: 2px; margin: 4px 0 0; padding: 0; list-style: none; }
.run-report .strip li { font-size: 8px; line-height: 1.2; text-align: center; padding: 2px 0; border-radius: 2px; }
.run-report .phase { border-top: 1px solid #94a3b8; padding-top: 4px; margin-top: 8px; }
.run-report table.checks td.check-verdict { width: 1%; white-space: nowrap; }
.run-report table.checks td.check-name { width: 34%; }
.run-report table.figures th { width: 45%; }
.run-report .small { font-size: 10px; }
.run-report table.timeline td.timeline-phase { width: 40%; }
.run-report .checks-summary { font-weight: 600; }
.run-report .charts { display: grid; grid-template-columns: 1fr 1fr 1fr; gap: 4px 10px; margin: 4px 0; }
.run-report figure { margin: 0; break-inside: avoid; }
.run-report figcaption { font-size: 10.5px; font-weight: 600; }
.run-report .sign { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; margin-top: 10px; break-inside: avoid; }
.run-report .sign div { border-top: 1px solid #0f172a; padding-top: 4px; margin-top: 32px; color: #475569; }
.run-report .appendix { margin-top: 14px; border: 1px solid #cbd5e1; border-radius: 4px; padding: 4px 8px; }
.run-report .appendix > summary { cursor: pointer; font-weight: 600; }
@page { size: A4; margin: 12mm 11mm 14mm; }
@media print {
  body:has(.run-report) { background: #fff !important; }
  body:has(.run-report) :is(nav, header, [role="banner"], [role="alert"], [data-print-hide]):not(.run-report *) { display: none !important; }
  /* Whatever else the console's layout puts beside the page (banners, menus) stays off the paper. */
  body:has(.run-report) :has(> main) > :not(main) { display: none !important; }
  body:has(.run-report) main { max-width: none !important; margin: 0 !important; padding: 0 !important; }
  .run-report { max-width: none; }
  .no-print { display: none !important; }
  .run-report .page-break { break-before: page; }
  /* The appendix prints as its summary line even if opened on screen: the paper holds what people read. */
  .run-report .appendix:not([data-print-open]) > :not(summary) { display: none !important; }
}
`;

export function ReportStyles() {
  // biome-ignore lint/security/noDangerouslySetInnerHtml: a constant stylesheet of ours, not user input
  return <style dangerouslySetInnerHTML={{ __html: REPORT_CSS }} />;
}
