import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { RunReportDocument } from '@/components/report-document';
import { ReportPrintButton } from '@/components/report-print-button';
import { ViewerReadRefused } from '@/components/viewer-read-refused';
import { requireUser } from '@/lib/auth/current-user';
import { readForViewer } from '@/lib/db/read-refusal';
import { readRunReport } from '@/lib/runbook/read/report/read-run-report';

export const dynamic = 'force-dynamic';

type Params = Promise<{ run: string }>;

function runIdOf(raw: string): number | null {
  return /^\d{1,9}$/.test(raw) ? Number(raw) : null;
}

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { run } = await params;
  return { title: `Migration run ${run} · Report` };
}

/** The printable migration report of one migration run (print it, or save it with the CLI's `report`). */
export default async function RunReportPage({ params }: { params: Params }) {
  const { run } = await params;
  await requireUser();
  const migrationRunId = runIdOf(run);
  if (migrationRunId === null) notFound();
  // A viewer's read, however long the run: the read pool, behind the viewer read limit (lib/db/read-limit.ts).
  const read = await readForViewer((database) => readRunReport(database, { migrationRunId }));
  if (!read.ok) return <ViewerReadRefused title={`Migration run ${migrationRunId}: report`} message={read.message} />;
  const report = read.value;
  if (!report) notFound();
  return <RunReportDocument report={report} actions={<ReportPrintButton />} />;
}
