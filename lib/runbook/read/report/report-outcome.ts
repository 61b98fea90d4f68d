/**
 * The run's outcome in one line and a few sentences, judged by the latest run of each phase: a
 * rollback that succeeded, phase 9 done, a phase stopped (failed, rejected, aborted), a phase in
 * flight, or how far the plan got and what comes next.
 */
import type { RunReport } from './read-run-report';
import type { ReportOutcome } from './report-model';
import { count, latestRunOfEachPhase, phaseHeading, plural } from './report-words';

const PLAN = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];

export function describeOutcome(report: RunReport): ReportOutcome {
  const latest = latestRunOfEachPhase(report.phaseRuns);
  const runs = [...latest.values()];
  const succeeded = runs.filter((r) => r.run.status === 'succeeded' && r.run.phase !== 'rollback');
  const retried = report.phaseRuns.length - latest.size;
  const sentences: string[] = [
    `${plural(report.phaseRuns.length, 'phase run')} recorded` +
      (retried > 0 ? ` (${plural(retried, 'earlier attempt')} superseded)` : '') +
      `; ${plural(succeeded.length, 'phase')} succeeded in the end.`,
  ];
  if (report.copy) {
    const written = report.copy.run.checkpoint.rowsWritten ?? report.copy.run.progress.rowsWritten;
    sentences.push(`The copy wrote ${count(written)} DXY minutes into data_bars.`);
  }
  if (report.softDelete.softDeleted > 0) {
    sentences.push(
      `${count(report.softDelete.softDeleted)} legacy rows were soft-deleted` +
        (report.softDelete.restored > 0 ? `, ${count(report.softDelete.restored)} restored by a rollback.` : '.'),
    );
  }

  const rollback = latest.get('rollback');
  if (rollback?.run.status === 'succeeded') {
    return {
      headline: `Rolled back — run #${rollback.run.id} (data ${String(rollback.run.options.data ?? '—')}) restored the legacy path`,
      tone: 'attention',
      sentences,
    };
  }
  const stopped = runs.find((r) => ['failed', 'rejected', 'aborted'].includes(r.run.status));
  if (stopped) {
    return {
      headline: `Stopped — ${phaseHeading(stopped)} ${stopped.run.status} (run #${stopped.run.id})`,
      tone: 'bad',
      sentences: [...sentences, ...(stopped.run.error ? [`Its error: ${stopped.run.error}`] : [])],
    };
  }
  const phase9 = latest.get('9');
  if (phase9?.run.status === 'succeeded') {
    return {
      headline: 'Completed — DXY 1m bars are served from data_bars; the legacy rows are soft-deleted',
      tone: 'good',
      sentences,
    };
  }
  const active = runs.find((r) => ['awaiting-approval', 'pending', 'running', 'paused'].includes(r.run.status));
  if (active) {
    return {
      headline: `In progress — ${phaseHeading(active)} is ${active.run.status} (run #${active.run.id})`,
      tone: 'attention',
      sentences,
    };
  }
  const windowOpen = report.window !== null && report.hours.some((h) => h.state === 'not taken');
  const done = new Set(succeeded.map((r) => r.run.phase));
  if (report.window && !windowOpen) done.add('8');
  // Phase 2 is done by its check or by its fix.
  if (done.has('2-fix')) done.add('2');
  const next = windowOpen ? '8' : PLAN.find((p) => !done.has(p));
  return {
    headline: `In progress — ${plural(PLAN.filter((p) => done.has(p)).length, 'phase')} of 9 done${next ? `; next: phase ${next}` : ''}`,
    tone: 'attention',
    sentences,
  };
}
