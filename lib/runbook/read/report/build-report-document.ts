/**
 * The migration report as a document (./report-model.ts) from the run's record: the one model the
 * /runs/N/report page and `npm run cutover -- report N` render, so the two cannot disagree.
 */

import { buildAppendix } from './appendix';
import { buildPageOne } from './page-one';
import { buildPhaseSections } from './phase-sections';
import type { RunReport } from './read-run-report';
import type { ReportDocument } from './report-model';

export function buildReportDocument(report: RunReport): ReportDocument {
  return {
    migrationRunId: report.migration.id,
    title: `DXY cutover — migration run #${report.migration.id}`,
    subtitle:
      'Moving the DXY 1-minute bars from derived_data_bars to data_bars: nine phases, a 24-hour overlap, then the legacy rows soft-deleted.',
    pageOne: buildPageOne(report),
    phases: buildPhaseSections(report),
    appendix: buildAppendix(report),
  };
}
