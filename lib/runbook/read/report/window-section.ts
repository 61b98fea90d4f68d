/**
 * Phase 8's section of the report: the window in sentences, a chart per hourly check (the series
 * the report's SVG charts draw) and a small table of the hours that were not a clean PASS — the
 * full hour-by-hour table is in the appendix.
 */
import { type CheckSeries, hourLabel } from '../../../monitor/chart-series';
import { plainDetail, shorten } from './plain-text';
import type { ReportHour, RunReport } from './read-run-report';
import type { PhaseSection } from './report-model';
import { at, badgeOf, plural } from './report-words';

/** One series per check over the recorded hours (the thresholds of the latest snapshot are drawn). */
export function reportCheckSeries(hours: ReportHour[]): CheckSeries[] {
  const meta = new Map<CheckSeries['key'], Omit<CheckSeries, 'key' | 'points'>>();
  for (const hour of hours) {
    for (const c of hour.checks)
      meta.set(c.key, { name: c.name, threshold: c.threshold, warnAt: c.warnAt, failAt: c.failAt });
  }
  return [...meta.entries()].map(([key, m]) => ({
    key,
    ...m,
    points: hours.map((hour) => {
      const check = hour.checks.find((c) => c.key === key);
      return {
        hour: hourLabel(hour.hourStart.toISOString()),
        value: check?.value ?? null,
        verdict: check?.verdict ?? null,
      };
    }),
  }));
}

export function buildWindowSection(report: RunReport): PhaseSection | null {
  const { window, hours } = report;
  if (!window) return null;
  const taken = hours.filter((h) => h.takenAt).length;
  const late = hours.filter((h) => h.late).length;
  const { PASS, WARN, FAIL } = report.verdictCounts;
  const unwaived = hours.filter((h) => h.state === 'FAIL' && !h.waivedBy).length;
  const sentences = [
    `The window opened when phase 7 was verified (${at(window.startedAt)}) and covers the hours from ${at(window.firstHour)} to ${at(window.endsAt)}.`,
    `${taken} of ${hours.length} hourly snapshots were taken${late > 0 ? ` (${late} late)` : ''}: ${PASS} PASS, ${WARN} WARN, ${FAIL} FAIL.`,
    FAIL === 0
      ? 'No hour failed.'
      : `${plural(FAIL, 'hour')} failed; ${report.waivers.length} waived by an approver with a reason${unwaived > 0 ? `, ${unwaived} NOT waived` : ''}.`,
  ];
  const notable = hours
    .filter((h) => h.state !== 'PASS')
    .map((h) => ({
      hour: at(h.hourStart),
      verdict: badgeOf(h.waivedBy ? `${h.state}, waived` : h.state),
      findings:
        h.checks.length === 0
          ? 'no snapshot'
          : shorten(
              h.checks
                .filter((c) => c.verdict !== 'PASS')
                .map((c) => `${c.name}: ${plainDetail(c.detail)}`)
                .join('; ') || 'every check passed (not settled yet)',
              220,
            ),
    }));
  const status = unwaived > 0 ? 'FAIL' : taken < hours.length ? 'running' : WARN > 0 ? 'WARN' : 'PASS';
  return {
    key: 'window',
    runId: null,
    phase: '8',
    heading: 'Phase 8 · The 24-hour monitoring window',
    status: badgeOf(status),
    sentences,
    figures: [],
    checks: [],
    checksSummary: '',
    window: { series: reportCheckSeries(hours), notable },
  };
}
