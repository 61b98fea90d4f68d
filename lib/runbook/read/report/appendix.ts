/**
 * The report's appendix: the raw evidence behind the sections, for whoever audits the record —
 * each run's stored figures, every check's evidence as JSON, each run's log, the previews with
 * their SQL, the hour-by-hour table of the window, the backup's record and the run's audit events.
 * The page prints it collapsed (a closed <details>): the body is what an approver reads.
 */
import { formatUtc } from '../../../format';
import type { ReportPhaseRun, RunReport } from './read-run-report';
import type { AppendixEntry, AppendixSection } from './report-model';
import { phaseHeading } from './report-words';

const EVIDENCE_CHARS = 3000;
const AUDIT_DETAIL_CHARS = 600;

export function rawJson(value: unknown, limit = EVIDENCE_CHARS): string {
  const text = JSON.stringify(value, null, 1) ?? '';
  return text.length > limit ? `${text.slice(0, limit)}\n… (${text.length - limit} more characters)` : text;
}

/** The scalar values a run stored (result, progress, checkpoint), named by where they are kept. */
export function storedFigures(run: ReportPhaseRun['run']): string[] {
  const lines: string[] = [];
  for (const [source, values] of [
    ['result', run.result],
    ['progress', run.progress],
    ['checkpoint', run.checkpoint],
  ] as const) {
    for (const [key, value] of Object.entries(values ?? {})) {
      if (key === 'startedWallMs') continue;
      lines.push(`${source}.${key} = ${typeof value === 'object' ? rawJson(value, 400) : String(value)}`);
    }
  }
  return lines;
}

function runEntries(entry: ReportPhaseRun): AppendixEntry[] {
  const { run } = entry;
  const title = `${phaseHeading(entry)} — run #${run.id}`;
  const entries: AppendixEntry[] = [];
  if (Object.keys(run.options).length > 0) entries.push({ title: `${title}: options`, text: rawJson(run.options) });
  const figures = storedFigures(run);
  if (figures.length > 0) entries.push({ title: `${title}: stored figures`, text: figures.join('\n') });
  const evidence = (run.verification?.checks ?? []).map(
    (c) =>
      `${c.passed ? 'PASS' : 'FAIL'}${c.kind === 'finding' ? ' (finding)' : ''} ${c.name}\n  ${c.detail}` +
      (c.evidence !== undefined ? `\n${rawJson(c.evidence)}` : ''),
  );
  if (evidence.length > 0) {
    entries.push({
      title: `${title}: verification evidence`,
      text: evidence.join('\n\n'),
      testId: `report-evidence-${run.id}`,
    });
  }
  if (entry.events.length > 0) {
    entries.push({
      title: `${title}: log`,
      text: entry.events.map((e) => `${formatUtc(e.at, 'second')} ${e.level} ${e.message}`).join('\n'),
    });
  }
  return entries;
}

function windowEntry(report: RunReport): AppendixEntry | null {
  if (!report.window) return null;
  const keys = [...new Set(report.hours.flatMap((h) => h.checks.map((c) => c.key)))];
  const names = keys.map((key) => report.hours.flatMap((h) => h.checks).find((c) => c.key === key)?.name ?? key);
  const short = (value: Date | null) => (value ? value.toISOString().slice(5, 16).replace('T', ' ') : '—');
  return {
    title: 'The window hour by hour (UTC)',
    testId: 'report-hours',
    table: {
      head: ['#', 'hour', 'verdict', 'taken', ...names],
      rowTestId: 'report-hour',
      rows: report.hours.map((h) => [
        String(h.index + 1),
        short(h.hourStart),
        `${h.state}${h.waivedBy ? ` (waived by ${h.waivedBy}: ${h.waiverReason ?? ''})` : ''}`,
        `${short(h.takenAt)}${h.late ? ' (late)' : ''}`,
        ...keys.map((key) => {
          const check = h.checks.find((c) => c.key === key);
          return check ? `${check.value} ${check.verdict}` : '—';
        }),
      ]),
    },
  };
}

export function buildAppendix(report: RunReport): AppendixSection[] {
  const sections: AppendixSection[] = [];
  sections.push({
    key: 'runs',
    title: 'Each run’s stored figures, evidence and log',
    entries: report.phaseRuns.flatMap(runEntries),
  });
  const window = windowEntry(report);
  if (window) sections.push({ key: 'window', title: 'The monitoring window', entries: [window] });
  if (report.backup) {
    sections.push({
      key: 'backup',
      title: 'The backup’s record',
      entries: [{ title: `Backup #${report.backup.id}: tables`, text: rawJson(report.backup.tables) }],
    });
  }
  if (report.previews.length > 0) {
    sections.push({
      key: 'previews',
      title: 'What each phase runs (previews, rendered when the report was generated; estimates are today’s)',
      entries: report.previews.map((p) => ({
        title: `${p.phase}: ${p.title}`,
        testId: `report-preview-${p.phase}`,
        text: p.preview
          ? [...p.preview.summary.map((line, i) => `${i + 1}. ${line}`), '', ...p.preview.sql].join('\n')
          : `Preview not available now: ${p.unavailable}`,
      })),
    });
  }
  sections.push({
    key: 'audit',
    title: 'Audit events of the run',
    entries: [
      {
        title: report.auditShown.description,
        testId: 'report-audit',
        table: {
          head: ['#', 'time', 'user', 'action', 'outcome', 'inputs / detail'],
          rows: report.audit.map((event) => [
            String(event.id),
            formatUtc(event.at, 'second'),
            event.username ?? '—',
            event.action,
            event.outcome,
            rawJson({ inputs: event.inputs, detail: event.detail }, AUDIT_DETAIL_CHARS),
          ]),
        },
      },
    ],
  });
  return sections;
}
