/**
 * The small words the report's sections share: a run's status as a badge, times, who approved,
 * and the latest run of each phase (a retried phase is judged by its last attempt).
 */
import { formatUtc } from '../../../format';
import { PHASE_CATALOG } from '../../phases';
import type { ReportPhaseRun } from './read-run-report';
import type { Badge, Tone } from './report-model';

const TONE_OF_STATUS: Record<string, Tone> = {
  succeeded: 'good',
  approved: 'good',
  PASS: 'good',
  failed: 'bad',
  rejected: 'bad',
  FAIL: 'bad',
  aborted: 'attention',
  paused: 'attention',
  pending: 'attention',
  'awaiting-approval': 'attention',
  WARN: 'attention',
  provisional: 'attention',
};

export function badgeOf(text: string): Badge {
  return { text, tone: TONE_OF_STATUS[text] ?? 'neutral' };
}

export function passFail(passed: boolean): Badge {
  return passed ? { text: 'PASS', tone: 'good' } : { text: 'FAIL', tone: 'bad' };
}

/** "2026-11-25 14:33 UTC", or "—". */
export function at(value: Date | string | null | undefined): string {
  return formatUtc(value ?? null);
}

/** "Phase 4 · Copy historical data", "Phase 2 · Apply fix · Apply schema fix", "Rollback · …". */
export function phaseHeading(entry: Pick<ReportPhaseRun, 'title'> & { run: { phase: string } }): string {
  return `${PHASE_CATALOG.label(entry.run.phase)} · ${entry.title}`;
}

/** The latest run of each phase that ran, in the order the phases first ran. */
export function latestRunOfEachPhase(runs: ReportPhaseRun[]): Map<string, ReportPhaseRun> {
  const latest = new Map<string, ReportPhaseRun>();
  for (const entry of runs) latest.set(entry.run.phase, entry);
  return latest;
}

/** "11-25 14:40": the timeline's short time (its caption says UTC and which clock). */
export function shortAt(value: Date | null | undefined): string {
  return value ? value.toISOString().slice(5, 16).replace('T', ' ') : '—';
}

/** "ada" / "rejected by ada" / "awaiting" / "not needed". */
export function approverWords(entry: ReportPhaseRun): string {
  const { approval } = entry;
  if (!approval) return 'not needed';
  if (approval.status === 'pending') return 'awaiting approval';
  const who = approval.decidedBy ?? '—';
  return approval.status === 'approved' ? who : `${approval.status} by ${who}`;
}

/** Counts with thousands separators. */
export function count(value: unknown): string {
  return typeof value === 'number' ? value.toLocaleString('en-US') : '—';
}

/** "1 check" / "3 checks". */
export function plural(n: number, word: string, words = `${word}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? word : words}`;
}
