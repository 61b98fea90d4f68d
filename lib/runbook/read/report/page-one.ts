/**
 * Page one of the migration report: what an approver signs on. The run's outcome, the timeline of
 * phases with who requested and approved each, the verdicts (the copy by key and by value, the
 * window's hours as a strip, phase 9's final proof, the rollback), every waiver and refusal with
 * its reason, and the head of the audit chain.
 */

import { plainDetail, shorten } from './plain-text';
import type { ReportPhaseRun, RunReport } from './read-run-report';
import type { PageOne, StripCell, TimelineRow, VerdictCard } from './report-model';
import { describeOutcome } from './report-outcome';
import {
  approverWords,
  at,
  badgeOf,
  count,
  latestRunOfEachPhase,
  passFail,
  phaseHeading,
  plural,
  shortAt,
} from './report-words';
import { listRefusals, listWaivers } from './waivers-and-refusals';

function checksWords(entry: ReportPhaseRun): string {
  const checks = entry.run.verification?.checks ?? [];
  if (checks.length === 0) return '—';
  const passed = checks.filter((c) => c.passed).length;
  return passed === checks.length ? `${passed}/${checks.length} passed` : `${checks.length - passed} FAILED`;
}

function windowWords(report: RunReport): string {
  const taken = report.hours.filter((h) => h.takenAt).length;
  const { PASS, WARN, FAIL } = report.verdictCounts;
  return `${taken}/${report.hours.length} hours: ${PASS} PASS, ${WARN} WARN, ${FAIL} FAIL`;
}

/** A rehearsal's clock runs apart from the wall clock: the timeline says which one it shows. */
function onRehearsalClock(report: RunReport): boolean {
  return report.phaseRuns.some(
    (p) =>
      p.run.clockStartedAt &&
      p.run.startedAt &&
      Math.abs(p.run.clockStartedAt.getTime() - p.run.startedAt.getTime()) > 60_000,
  );
}

function timeline(report: RunReport): TimelineRow[] {
  const rows: TimelineRow[] = report.phaseRuns.map((entry) => ({
    key: `run-${entry.run.id}`,
    runId: entry.run.id,
    phase: entry.run.phase,
    label: `${phaseHeading(entry)}${entry.run.attempt > 1 ? ` (attempt ${entry.run.attempt})` : ''}`,
    status: badgeOf(entry.run.status),
    requested: entry.run.requestedBy,
    approved: approverWords(entry),
    // The clock the data stands on (a rehearsal's market time; the wall clock in production), like the window.
    finished: shortAt(entry.run.clockFinishedAt ?? entry.run.finishedAt),
    checks: checksWords(entry),
  }));
  if (report.window) {
    // Phase 8 has no run: the window opens when phase 7 is verified, so it sits after phase 7's last run.
    const after = report.phaseRuns.findLastIndex((p) => p.run.phase === '7');
    const complete = report.hours.every((h) => h.state !== 'not taken' && h.state !== 'provisional');
    rows.splice(after + 1, 0, {
      key: 'window',
      runId: null,
      phase: '8',
      label: 'Phase 8 · 24-hour monitoring window',
      status: complete
        ? badgeOf(report.verdictCounts.FAIL > report.waivers.length ? 'FAIL' : 'PASS')
        : badgeOf('running'),
      requested: '—',
      approved: report.waivers.length > 0 ? `${plural(report.waivers.length, 'hour')} waived` : '—',
      finished: shortAt(report.window.endsAt),
      checks: `${report.hours.filter((h) => h.takenAt).length}/${report.hours.length} hours, ${report.verdictCounts.FAIL} FAIL`,
    });
  }
  return rows;
}

function copyCard(report: RunReport): VerdictCard {
  const copy = report.copy;
  if (!copy) {
    return {
      key: 'copy',
      title: 'The copy (phase 4)',
      lines: [{ label: 'Copy', badge: badgeOf('not run'), text: 'The copy has not succeeded in this run.' }],
    };
  }
  const checks = copy.run.verification?.checks ?? [];
  // The names verify-copy.ts gives the two comparisons: every legacy key present, and the same close.
  const byKey = checks.find((c) => c.name.startsWith('Every legacy minute is in data_bars'));
  const byValue = checks.find((c) => c.name.startsWith('Same close'));
  const line = (label: string, check: (typeof checks)[number] | undefined) =>
    check
      ? { label, badge: passFail(check.passed), text: shorten(plainDetail(check.detail), 160) }
      : { label, badge: badgeOf('not checked'), text: 'no such check in the copy’s verification' };
  const written = copy.run.checkpoint.rowsWritten ?? copy.run.progress.rowsWritten;
  return {
    key: 'copy',
    title: 'The copy (phase 4)',
    lines: [
      line('By key', byKey),
      line('By value', byValue),
      {
        label: 'Written',
        badge: badgeOf('succeeded'),
        text: `${count(written)} minutes into data_bars (method ${String(copy.run.options.method ?? 'copy')}), run #${copy.run.id}`,
      },
    ],
  };
}

function windowCard(report: RunReport): VerdictCard {
  if (!report.window) {
    return {
      key: 'window',
      title: 'The 24-hour window (phase 8)',
      lines: [{ label: 'Window', badge: badgeOf('not started'), text: 'Phase 7 has not succeeded in this run.' }],
    };
  }
  const unwaived = report.hours.filter((h) => h.state === 'FAIL' && !h.waivedBy).length;
  return {
    key: 'window',
    title: 'The 24-hour window (phase 8)',
    lines: [
      {
        label: 'Hours',
        badge: unwaived > 0 ? badgeOf('FAIL') : report.verdictCounts.WARN > 0 ? badgeOf('WARN') : badgeOf('PASS'),
        text: `${windowWords(report)}; ${plural(report.waivers.length, 'hour')} waived. From ${at(report.window.firstHour)} to ${at(report.window.endsAt)}.`,
      },
    ],
  };
}

interface StoredFinalProof {
  legacyMinutes?: number;
  differences?: number;
  waived?: string[];
  from?: string | null;
  to?: string;
}

function finalProofCard(report: RunReport): VerdictCard {
  const phase9 = latestRunOfEachPhase(report.phaseRuns).get('9');
  const proof = phase9?.run.result.finalProof as StoredFinalProof | undefined;
  const lines: VerdictCard['lines'] = [];
  if (!phase9 || !proof) {
    lines.push({ label: 'Final proof', badge: badgeOf('not run'), text: 'Phase 9 has not proven the history yet.' });
  } else {
    const differences = proof.differences ?? 0;
    lines.push({
      label: 'Final proof',
      badge: differences === 0 ? badgeOf('PASS') : badgeOf('WARN'),
      text:
        `${count(proof.legacyMinutes)} active legacy minutes from ${at(proof.from)} to ${at(proof.to)} compared with data_bars: ` +
        (differences === 0 ? 'none differs.' : `${count(differences)} differ, each waived by the approver.`),
    });
  }
  lines.push({
    label: 'Soft-deleted',
    badge: badgeOf(report.softDelete.softDeleted > 0 ? 'succeeded' : 'none'),
    text: `${count(report.softDelete.softDeleted)} legacy DXY 1m rows soft-deleted by this run, ${count(report.softDelete.restored)} restored.`,
  });
  return { key: 'final-proof', title: 'The final proof (phase 9)', lines };
}

function rollbackCard(report: RunReport): VerdictCard {
  return {
    key: 'rollback',
    title: 'Rollback',
    lines:
      report.rollbacks.length === 0
        ? [{ label: 'Rollback', badge: badgeOf('none'), text: 'No rollback in this run.' }]
        : report.rollbacks.map((r) => ({
            label: `Run #${r.run.id}`,
            badge: badgeOf(r.run.status),
            text: `data ${String(r.run.options.data ?? '—')}, requested by ${r.run.requestedBy}, ${at(r.run.requestedAt)}${r.run.error ? `: ${shorten(r.run.error, 200)}` : ''}.`,
          })),
  };
}

function strip(report: RunReport): StripCell[] {
  return report.hours.map((hour) => ({
    index: hour.index,
    hour: `${hour.hourStart.toISOString().slice(11, 13)}h`,
    state: hour.state,
    waived: hour.waivedBy !== null,
    late: hour.late,
    title: `${at(hour.hourStart)}: ${hour.state}${hour.waivedBy ? `, waived by ${hour.waivedBy}` : ''}${hour.late ? ', taken late' : ''}`,
  }));
}

export function buildPageOne(report: RunReport): PageOne {
  const { migration } = report;
  return {
    outcome: describeOutcome(report),
    facts: [
      { label: 'Started', value: `${migration.startedBy}, ${at(migration.startedAt)}` },
      { label: 'Closed', value: migration.closedAt ? at(migration.closedAt) : `not closed (${migration.status})` },
      { label: 'Report generated', value: at(report.generatedAt) },
      {
        label: 'Audit events',
        // "N of M": a run with more events than the report holds says so on page one too.
        value:
          report.auditShown.total > report.audit.length
            ? `${count(report.audit.length)} of ${count(report.auditShown.total)}`
            : count(report.audit.length),
      },
    ],
    timeline: timeline(report),
    clockNote: onRehearsalClock(report)
      ? 'Finished: on the rehearsal clock (the market time the data stands on), like the window; requests, approvals and this report on the wall clock.'
      : 'Times in UTC.',
    verdicts: [copyCard(report), windowCard(report), finalProofCard(report), rollbackCard(report)],
    strip: strip(report),
    waivers: listWaivers(report),
    refusals: listRefusals(report),
    auditHead: {
      intact: report.auditChain.state.intact,
      text: report.auditChain.description,
      shown: report.auditShown.description,
    },
  };
}
