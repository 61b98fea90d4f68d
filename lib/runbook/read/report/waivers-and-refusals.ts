/**
 * Every waiver and every refusal of a migration run, each with its reason, for page one of the
 * report: waived FAIL hours and final-proof differences; rejected approvals and the refused,
 * invalid or failed actions of the run's audit events (the same refusal grouped, with a count).
 */
import { FAILED_DETAIL_CHARS, plainDetail, shorten } from './plain-text';
import type { RunReport } from './read-run-report';
import type { RefusalRow, WaiverRow } from './report-model';
import { at, phaseHeading, plural } from './report-words';

export function listWaivers(report: RunReport): WaiverRow[] {
  const rows: WaiverRow[] = report.waivers.map((w) => ({
    what: `FAIL hour ${at(w.hourStart)}`,
    by: w.waivedBy,
    // When the hour was waived is in the audit events (appendix); the snapshot keeps who and why.
    at: null,
    reason: w.reason,
  }));
  for (const entry of report.phaseRuns) {
    const waiver = entry.run.options.waiver as { count?: number; by?: string } | undefined;
    if (!waiver?.by) continue;
    rows.push({
      what: `${phaseHeading(entry)}: ${plural(waiver.count ?? 0, 'differing minute')} of the final proof`,
      by: waiver.by,
      at: at(entry.approval?.decidedAt),
      reason: entry.approval?.reason ?? '—',
    });
  }
  return rows;
}

/** Every refusal: rejected approvals and refused, invalid or failed actions, the same ones grouped with a count. */
export function listRefusals(report: RunReport): RefusalRow[] {
  const rows: RefusalRow[] = [];
  for (const entry of report.phaseRuns) {
    if (entry.approval?.status !== 'rejected') continue;
    rows.push({
      what: `Approval of ${phaseHeading(entry)} (run #${entry.run.id}) rejected`,
      by: entry.approval.decidedBy ?? '—',
      at: at(entry.approval.decidedAt),
      reason: entry.approval.reason ?? '—',
      count: 1,
    });
  }
  const grouped = new Map<string, RefusalRow>();
  for (const event of report.audit) {
    if (event.outcome === 'ok') continue;
    const detail = (event.detail ?? {}) as { reason?: unknown; message?: unknown };
    const reason = shorten(plainDetail(detail.reason ?? detail.message ?? '—'), FAILED_DETAIL_CHARS);
    const key = `${event.action}\u0000${event.username ?? ''}\u0000${event.outcome}\u0000${reason}`;
    const seen = grouped.get(key);
    if (seen) {
      seen.count += 1;
      continue;
    }
    const row = {
      what: `${event.action} ${event.outcome}`,
      by: event.username ?? 'not signed in',
      at: at(event.at),
      reason,
      count: 1,
    };
    grouped.set(key, row);
    rows.push(row);
  }
  return rows;
}
