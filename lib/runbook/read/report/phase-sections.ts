/**
 * One section per phase run, for people: who asked, who approved, when and where it ran, what it
 * did (./phase-story.ts), and its checks as a small table with the finding in words. Raw evidence
 * and the run's log are in the appendix (./appendix.ts); phase 8's window sits after phase 7.
 */
import { describeAccountOrigin } from '../../../auth/account-origin';
import { phaseStory } from './phase-story';
import { FAILED_DETAIL_CHARS, PASSED_DETAIL_CHARS, plainDetail, shorten } from './plain-text';
import type { ReportPhaseRun, RunReport } from './read-run-report';
import type { CheckRow, PhaseSection } from './report-model';
import { at, badgeOf, passFail, phaseHeading, plural } from './report-words';
import { buildWindowSection } from './window-section';

/** Clock and wall time differ by more than this in a rehearsal: the section names the clock too. */
const CLOCK_NOTE_MS = 60_000;

function whoSentence(entry: ReportPhaseRun): string {
  const { run, approval } = entry;
  const requested = `Requested by ${run.requestedBy} at ${at(run.requestedAt)}`;
  if (!approval) return `${requested}; no approval needed.`;
  if (approval.status === 'pending') return `${requested}; awaiting approval (${approval.kind}).`;
  const reason = approval.reason ? ` (“${shorten(approval.reason, 300)}”)` : '';
  return `${requested}; ${approval.status} by ${approval.decidedBy ?? '—'} at ${at(approval.decidedAt)}${reason}.`;
}

function ranSentence(entry: ReportPhaseRun): string {
  const { run, runners } = entry;
  if (!run.startedAt) return 'It never started.';
  const seconds = run.finishedAt ? Math.round((run.finishedAt.getTime() - run.startedAt.getTime()) / 1000) : null;
  const where = runners.length > 0 ? runners.join(', then ') : (run.leaseOwner ?? '—');
  const clock =
    run.clockStartedAt && Math.abs(run.clockStartedAt.getTime() - run.startedAt.getTime()) > CLOCK_NOTE_MS
      ? ` (rehearsal clock ${at(run.clockStartedAt)})`
      : '';
  const attempt = run.attempt > 1 ? ` (attempt ${run.attempt})` : '';
  const when =
    seconds === null
      ? `from ${at(run.startedAt)}${clock}, not finished`
      : seconds < 120
        ? `at ${at(run.startedAt)}${clock} for ${seconds} s`
        : `from ${at(run.startedAt)}${clock} to ${at(run.finishedAt)} (${Math.round(seconds / 60)} min)`;
  return `Ran${attempt} on runner ${where} ${when}: ${run.status}.`;
}

function checkRows(entry: ReportPhaseRun): CheckRow[] {
  return (entry.run.verification?.checks ?? []).map((check) => ({
    name: check.name,
    badge: check.kind === 'finding' ? badgeOf('finding') : passFail(check.passed),
    finding: shorten(plainDetail(check.detail), check.passed ? PASSED_DETAIL_CHARS : FAILED_DETAIL_CHARS),
  }));
}

function checksSummary(entry: ReportPhaseRun): string {
  const checks = entry.run.verification?.checks ?? [];
  if (checks.length === 0) return `No verification recorded (${entry.run.status}).`;
  const failed = checks.filter((c) => !c.passed).length;
  return failed === 0
    ? `All ${plural(checks.length, 'check')} passed.`
    : `${failed} of ${plural(checks.length, 'check')} FAILED.`;
}

export function buildPhaseSection(report: RunReport, entry: ReportPhaseRun): PhaseSection {
  const story = phaseStory(report, entry);
  return {
    key: `run-${entry.run.id}`,
    runId: entry.run.id,
    phase: entry.run.phase,
    heading: `${phaseHeading(entry)} — run #${entry.run.id}${entry.run.attempt > 1 ? ` (attempt ${entry.run.attempt})` : ''}`,
    status: badgeOf(entry.run.status),
    sentences: [
      whoSentence(entry),
      // Separation of duties: who made each of the two accounts, as recorded with the decision.
      ...(entry.approval?.requesterAccount || entry.approval?.deciderAccount
        ? [
            `Accounts: ${describeAccountOrigin(entry.approval.requesterAccount)}; ${describeAccountOrigin(entry.approval.deciderAccount)}.`,
          ]
        : []),
      ranSentence(entry),
      ...(entry.run.error ? [`Error: ${shorten(entry.run.error, FAILED_DETAIL_CHARS)}`] : []),
      ...story.sentences,
    ],
    figures: story.figures,
    checks: checkRows(entry),
    checksSummary: checksSummary(entry),
  };
}

export function buildPhaseSections(report: RunReport): PhaseSection[] {
  const sections = report.phaseRuns.map((entry) => buildPhaseSection(report, entry));
  const window = buildWindowSection(report);
  if (window) {
    const after = report.phaseRuns.findLastIndex((p) => p.run.phase === '7');
    sections.splice(after + 1, 0, window);
  }
  return sections;
}
