/**
 * Phase 9's final proof before any soft-delete: over the whole history at the request (what the
 * approver reads), every active legacy DXY 1m minute is in data_bars with the same close; at the
 * execution, only what changed since (recheckSinceRequest). It is the compare page's own query
 * (per-day merge joins over the comparison indexes, index-only), so the deploy hour and any minute the bridge or
 * phase 7's gap fill could have missed are inside it. Minutes only in data_bars are not
 * differences here: the soft-delete loses nothing because of them.
 */
import type { Sql } from 'postgres';
import { ActionRefused } from '../../../auth/action';
import { compareDxyByBucket, sampleDxyDifferences } from '../../../monitor/compare-dxy';
import { LATE_LEGACY_MARGIN_MS, legacyRange } from '../shared/copy-legacy';

/** At most this many differing minutes are listed (and so can be waived); more must be fixed first. */
export const MAX_LISTED_DIFFERENCES = 200;

export interface ListedDifference {
  /** ISO minute. */
  tsUtc: string;
  kind: 'missing in data_bars' | 'close differs';
  legacyClose: number | null;
  newClose: number | null;
}

export interface FinalProof {
  /** Active legacy minutes compared. */
  legacyMinutes: number;
  /** Legacy minutes missing in data_bars or with another close there. */
  total: number;
  listed: ListedDifference[];
  from: string | null;
  to: string;
}

/** Over the whole history, or from `from` on (the execution's re-check of what changed since the request). */
export async function proveLegacyInDataBars(sql: Sql, params: { from?: Date; to: Date }): Promise<FinalProof> {
  const legacy = await legacyRange(sql);
  const empty = { legacyMinutes: 0, total: 0, listed: [], from: null, to: params.to.toISOString() };
  if (!legacy.first) return empty;
  const range = { first: params.from && params.from > legacy.first ? params.from : legacy.first };
  if (range.first >= params.to) return { ...empty, from: range.first.toISOString() };
  const days = await compareDxyByBucket(sql, { from: range.first, to: params.to, bucket: 'day' });
  const differing = days.filter((d) => d.missingInDataBars + d.closeDiffers > 0);
  const total = differing.reduce((sum, d) => sum + d.missingInDataBars + d.closeDiffers, 0);
  const listed: ListedDifference[] = [];
  for (const day of differing.sort((a, b) => a.bucket.getTime() - b.bucket.getTime())) {
    if (listed.length >= MAX_LISTED_DIFFERENCES) break;
    const from = new Date(Math.max(day.bucket.getTime(), range.first.getTime()));
    const to = new Date(Math.min(day.bucket.getTime() + 86_400_000, params.to.getTime()));
    const samples = await sampleDxyDifferences(sql, { from, to, limit: 1440 });
    for (const s of samples) {
      if (s.kind === 'missing in legacy' || listed.length >= MAX_LISTED_DIFFERENCES) continue;
      listed.push({ tsUtc: s.tsUtc.toISOString(), kind: s.kind, legacyClose: s.legacyClose, newClose: s.newClose });
    }
  }
  return {
    legacyMinutes: days.reduce((sum, d) => sum + d.legacyActive, 0),
    total,
    listed,
    from: range.first.toISOString(),
    to: params.to.toISOString(),
  };
}

/** The proof taken at the request, the one the approver read (phase run options). */
export interface RequestProof {
  total: number;
  listed: ListedDifference[];
  legacyMinutes: number;
  /** Its end; missing on requests made before it was kept. */
  to?: string;
}

export function requestProofOf(options: Record<string, unknown>): RequestProof | null {
  const proof = options.finalProof as RequestProof | undefined;
  return proof && Array.isArray(proof.listed) ? proof : null;
}

/**
 * The final proof at execution: the request's proof re-checked only where something can have changed since — from
 * the lateness margin before its end (a revision of a component reaches that far back) to `to`. Older minutes are
 * proven again by each soft-delete batch before it commits (soft-delete-batch-check.ts), row by row. A request
 * without a recorded end is proven over the whole history. The differences are the request's (each waived, or the
 * approval was refused) and any new ones.
 */
export async function recheckSinceRequest(
  sql: Sql,
  params: { options: Record<string, unknown>; to: Date },
): Promise<FinalProof & { recheckedFrom: string | null }> {
  const request = requestProofOf(params.options);
  const from = request?.to ? new Date(Date.parse(request.to) - LATE_LEGACY_MARGIN_MS) : undefined;
  const recheck = await proveLegacyInDataBars(sql, { from, to: params.to });
  if (!request?.to) return { ...recheck, recheckedFrom: recheck.from };
  const known = new Set(request.listed.map((d) => d.tsUtc));
  const fresh = recheck.listed.filter((d) => !known.has(d.tsUtc));
  const overlap = recheck.listed.length - fresh.length;
  const listed = [...request.listed, ...fresh].sort((a, b) => a.tsUtc.localeCompare(b.tsUtc));
  return {
    legacyMinutes: request.legacyMinutes,
    total: request.total + recheck.total - overlap,
    listed,
    from: recheck.from,
    to: recheck.to,
    recheckedFrom: recheck.from,
  };
}

/**
 * The way out of differences the final proof finds (docs/phases.md "Reconcile"): a Reconcile over
 * their range, previewed and approved by a second person — never hand SQL. `listed` is in minute order.
 */
export function reconcileWayOut(listed: readonly ListedDifference[]): string {
  const first = listed[0]?.tsUtc;
  const last = listed.at(-1)?.tsUtc;
  const range =
    first && last
      ? `--from ${first.slice(0, 16)}Z --to ${new Date(Date.parse(last) + 60_000).toISOString().slice(0, 16)}Z`
      : '--from MINUTE --to MINUTE';
  return (
    `Repair them with Reconcile (its page /reconcile, or npm run cutover -- run reconcile ${range} --confirm RECONCILE, ` +
    'then an approver approves it), not by hand SQL'
  );
}

export function describeDifferences(listed: readonly ListedDifference[], limit = 10): string {
  const shown = listed.slice(0, limit).map((d) => `${d.tsUtc} (${d.kind})`);
  return `${shown.join(', ')}${listed.length > limit ? `, and ${listed.length - limit} more` : ''}`;
}

/** The waiver an approver recorded with the phase 9 approval (phase run options). */
export interface FinalProofWaiver {
  count: number;
  minutes: string[];
  by: string;
}

export function waiverOf(options: Record<string, unknown>): FinalProofWaiver | null {
  const waiver = options.waiver as FinalProofWaiver | undefined;
  return waiver && Array.isArray(waiver.minutes) ? waiver : null;
}

/**
 * The waiver an approver gives by typing the count of the minutes phase 9's final proof listed
 * when it was requested (stored in the run's options); with none listed, a count is refused too
 * (nothing to waive). Refused with the reason an approver can act on.
 */
export function waiveFinalProof(
  options: Record<string, unknown>,
  typed: number | undefined,
  approver: string,
): FinalProofWaiver | null {
  const proof = options.finalProof as { total: number; listed: ListedDifference[] } | undefined;
  const total = proof?.total ?? 0;
  const listed = proof?.listed ?? [];
  if (total === 0) {
    if (typed !== undefined && typed !== 0)
      throw new ActionRefused('The final proof listed no differing minute: nothing to waive.');
    return null;
  }
  if (listed.length < total)
    throw new ActionRefused(
      `The final proof found ${total} differing minutes, more than can be listed and waived (${listed.length}): reject this request. ` +
        `${reconcileWayOut(listed)}, then request phase 9 again.`,
    );
  if (typed !== total)
    throw new ActionRefused(
      `The final proof lists ${total} legacy minutes not in data_bars with the same close (${describeDifferences(listed, 5)}). ` +
        `Type ${total} to waive them, or reject this request. ${reconcileWayOut(listed)}, then request phase 9 again.`,
    );
  return { count: total, minutes: listed.map((d) => d.tsUtc), by: approver };
}
