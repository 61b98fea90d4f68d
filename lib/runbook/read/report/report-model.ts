/**
 * The migration report as an approver reads it (docs/operations.md "The migration report"): page
 * one (outcome, timeline, verdicts, waivers and refusals, the audit chain's head), one section per
 * phase in sentences and small tables, and an appendix of raw evidence that prints collapsed. Plain
 * data built from the run's record (./build-report-document.ts); the page and the CLI render it.
 */
import type { CheckSeries } from '../../../monitor/chart-series';
import type { Verdict } from '../../../monitor/hourly-checks';

/** How a badge reads: good (green), attention (amber), bad (red), neutral (grey). */
export type Tone = 'good' | 'attention' | 'bad' | 'neutral';

export interface Badge {
  text: string;
  tone: Tone;
}

export interface ReportOutcome {
  /** One line: "Completed — …", "In progress — …", "Rolled back — …", "Failed — …". */
  headline: string;
  tone: Tone;
  /** What happened, in sentences. */
  sentences: string[];
}

/** One row of page one's timeline: a phase run, or the monitoring window (phase 8, no run of its own). */
export interface TimelineRow {
  key: string;
  /** The phase run's id; null for the window. */
  runId: number | null;
  phase: string;
  label: string;
  status: Badge;
  requested: string;
  approved: string;
  finished: string;
  checks: string;
}

export interface VerdictLine {
  label: string;
  badge: Badge;
  text: string;
}

export interface VerdictCard {
  key: 'copy' | 'window' | 'final-proof' | 'rollback';
  title: string;
  lines: VerdictLine[];
}

/** One cell of the window's strip: an hour, coloured by its verdict. */
export interface StripCell {
  index: number;
  /** "14h" (UTC), the hour's start. */
  hour: string;
  state: Verdict | 'not taken' | 'provisional';
  waived: boolean;
  late: boolean;
  title: string;
}

export interface WaiverRow {
  what: string;
  by: string;
  /** When it was waived, where recorded (a final-proof waiver is the approval's decision). */
  at: string | null;
  reason: string;
}

export interface RefusalRow {
  what: string;
  by: string;
  at: string;
  reason: string;
  /** How many times the same refusal happened (grouped by action, user and reason). */
  count: number;
}

export interface PageOne {
  outcome: ReportOutcome;
  facts: { label: string; value: string }[];
  timeline: TimelineRow[];
  /** Which clock the timeline's times are on (a rehearsal's clock is not the wall clock). */
  clockNote: string;
  verdicts: VerdictCard[];
  strip: StripCell[];
  waivers: WaiverRow[];
  refusals: RefusalRow[];
  auditHead: { intact: boolean; text: string; shown: string };
}

export interface CheckRow {
  name: string;
  badge: Badge;
  /** In words, shortened when it passed (the appendix has it whole). */
  finding: string;
}

export interface PhaseSection {
  key: string;
  runId: number | null;
  phase: string;
  heading: string;
  status: Badge;
  /** Who, when, on which runner, and what the phase did: sentences for people. */
  sentences: string[];
  /** A small table of figures (e.g. the backup's tables, the copy's counts); empty when none. */
  figures: { label: string; value: string }[];
  checks: CheckRow[];
  /** One line on the checks: "All 11 checks passed." / "2 of 7 checks failed." */
  checksSummary: string;
  /** Phase 8 only: a chart per hourly check, and the hours that were not a clean PASS. */
  window?: { series: CheckSeries[]; notable: { hour: string; verdict: Badge; findings: string }[] };
}

/** A block of raw evidence: preformatted text (JSON, SQL, a log), or a table of raw values. */
export interface AppendixEntry {
  title: string;
  text?: string;
  table?: { head: string[]; rows: string[][]; rowTestId?: string };
  testId?: string;
}

export interface AppendixSection {
  key: string;
  title: string;
  entries: AppendixEntry[];
}

export interface ReportDocument {
  migrationRunId: number;
  title: string;
  subtitle: string;
  pageOne: PageOne;
  phases: PhaseSection[];
  appendix: AppendixSection[];
}
