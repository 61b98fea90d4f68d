/**
 * The key-and-value verification of the copy (docs/domain.md, the plan's defect 1): equal counts prove
 * nothing, so every active legacy minute must exist in data_bars with the same close
 * (|Δ| ≤ 1e-9 relative), and every extra data_bars minute is listed with its explanation.
 * Every DXY 1m row of data_bars must also be in the final form (copy-final-form.ts).
 *
 * After batches that each checked their own range before commit (copy-batch-check.ts), this
 * comparison proves that the batches cover the history (their window is contiguous from before the
 * first legacy minute to the cursor) and finds what changed since each batch checked it: the
 * keys and closes of both tables are compared again over the comparison indexes alone (index-only,
 * no heap: the cheapest read that sees every insert, delete and revision since — legacy's heap
 * read by updated_at is larger), while the form, which only the heap holds, comes from the batches
 * and is read here only for rows outside their window. Without a covering window (a checkpoint
 * from before batches were checked) every row's form is read, as before.
 */

import type { SqlOrTx } from '../../../db/connection';
import { DXY_CLOSE_TOLERANCE } from '../../../market/dxy';
import type { Check } from '../../engine/verification';
import { COPY_OWNER, ownerSql } from '../shared/copy-ownership';
import type { VerifiedWindow } from './copy-batch-check';
import { readCopyDifferences } from './copy-differences';
import {
  describeForm,
  FINAL_KIND,
  FINAL_SOURCE,
  mergeNotFinal,
  type NotFinalRows,
  readNotFinalRows,
} from './copy-final-form';

const SAMPLE_LIMIT = 1000;

export interface CopyComparison {
  range: { from: string | null; to: string };
  legacyRows: number;
  dataBarsRows: number;
  missing: { total: number; samples: { ts_utc: string; legacy_close: number }[] };
  mismatched: {
    total: number;
    samples: {
      ts_utc: string;
      legacy_close: number;
      new_close: number | null;
      relative_diff: number | null;
      /** Who wrote the data_bars row (copy-ownership.ts): a copy never overwrites another writer's row. */
      owner: string;
    }[];
    /**
     * Of the differing minutes, those whose legacy row changed after the copy's last catch-up of
     * revisions (less a margin): a provider revision that landed between the catch-up and this
     * comparison. Phase 5's bridge carries them; they do not fail the copy. Absent without a catch-up.
     */
    revisedAfterCatchUp?: { since: string; total: number; minutes: string[] };
  };
  extras: { total: number; samples: { ts_utc: string; close: number; explanation: string }[] };
  /** DXY 1m rows of data_bars (all of them, whatever their minute) not in the final form. */
  notFinal: NotFinalRows;
  /** Whether the batches' checked window covers the history (absent: no window, every row's form was read). */
  coverage?: Coverage;
}

export interface Coverage {
  covered: boolean;
  /** In words: the window and what it covers, or why it does not. */
  detail: string;
  window: { from: string; to: string; batches: number };
}

export async function compareCopy(
  sql: SqlOrTx,
  params: { to: Date; revisedSince?: Date | null; window?: VerifiedWindow },
): Promise<CopyComparison> {
  const [counts] = await sql<{ legacy: number; data_bars: number; first: Date | null }[]>`
    select (select count(*) from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
              and deleted_at is null and ts_utc < ${params.to}) as legacy,
           (select count(*) from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
              and ts_utc < ${params.to}) as data_bars,
           (select min(ts_utc) from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m'
              and deleted_at is null) as first`;
  const differing = await readCopyDifferences(sql, {
    to: params.to,
    first: counts?.first ?? null,
    limit: SAMPLE_LIMIT,
  });
  const ofKind = (kind: string) => differing.filter((m) => m.kind === kind);
  const missing = ofKind('missing');
  const mismatched = ofKind('mismatched');
  const extraMinutes = ofKind('extra').map((e) => e.ts_utc.toISOString());
  const extras =
    extraMinutes.length === 0
      ? []
      : await sql<{ ts_utc: Date; close: number; explanation: string }[]>`
    select n.ts_utc, n.close,
           case
             when exists (select 1 from public.derived_data_bars s where s.canonical_symbol = 'DXY' and s.timeframe = '1m'
                            and s.ts_utc = n.ts_utc and s.deleted_at is not null)
               then 'legacy row exists but is soft-deleted'
             when n.raw->>'copied_from' is null then 'written by calc_dxy_range_1m (new path); no legacy minute'
             else 'UNEXPLAINED: copied from derived_data_bars, but no legacy row exists any more'
           end as explanation
      from public.data_bars n
     where n.canonical_symbol = 'DXY' and n.timeframe = '1m' and n.ts_utc = any(${extraMinutes}::timestamptz[])
     order by n.ts_utc`;
  const mismatchedMinutes = mismatched.map((m) => m.ts_utc.toISOString());
  const owners = new Map(
    mismatchedMinutes.length === 0
      ? []
      : (
          await sql.unsafe<{ ts_utc: Date; owner: string }[]>(
            `select n.ts_utc, ${ownerSql('n')} as owner from public.data_bars n
              where n.canonical_symbol = 'DXY' and n.timeframe = '1m' and n.ts_utc = any($1::timestamptz[])`,
            [mismatchedMinutes],
          )
        ).map((r) => [r.ts_utc.getTime(), r.owner]),
  );
  const coverage = params.window
    ? coverageOf(params.window, { to: params.to, first: counts?.first ?? null })
    : undefined;
  const notFinal =
    params.window && coverage?.covered
      ? mergeNotFinal(
          params.window.notFinal,
          await readNotFinalRows(sql, {
            rows: 'outside',
            from: new Date(params.window.from),
            to: new Date(params.window.to),
          }),
        )
      : await readNotFinalRows(sql);
  const revisedAfterCatchUp = params.revisedSince
    ? await readRevisedSince(sql, {
        since: params.revisedSince,
        // All of them, or the differing minutes cannot all be excused (more than the samples hold).
        minutes: mismatched.length === (mismatched[0]?.total ?? 0) ? mismatchedMinutes : [],
      })
    : undefined;
  const iso = (d: Date) => d.toISOString();
  return {
    range: { from: counts?.first ? iso(counts.first) : null, to: iso(params.to) },
    legacyRows: counts?.legacy ?? 0,
    dataBarsRows: counts?.data_bars ?? 0,
    missing: {
      total: missing[0]?.total ?? 0,
      samples: missing.map((m) => ({ ts_utc: iso(m.ts_utc), legacy_close: m.legacy_close as number })),
    },
    mismatched: {
      total: mismatched[0]?.total ?? 0,
      samples: mismatched.map((m) => ({
        ts_utc: iso(m.ts_utc),
        legacy_close: m.legacy_close as number,
        new_close: m.new_close,
        relative_diff:
          m.new_close === null || m.legacy_close === null || m.legacy_close === 0
            ? null
            : Math.abs(m.new_close - m.legacy_close) / Math.abs(m.legacy_close),
        owner: owners.get(m.ts_utc.getTime()) ?? 'unknown',
      })),
      ...(revisedAfterCatchUp ? { revisedAfterCatchUp } : {}),
    },
    extras: {
      total: ofKind('extra')[0]?.total ?? 0,
      samples: extras.map((e) => ({ ts_utc: iso(e.ts_utc), close: e.close, explanation: e.explanation })),
    },
    notFinal,
    ...(coverage ? { coverage } : {}),
  };
}

/**
 * The batches cover the history when their contiguous window starts at or before the first active
 * legacy minute and ends at the cursor the comparison runs to. Minutes landing before the window
 * after it started would be outside it: the first legacy minute is read now, not at the start.
 */
function coverageOf(window: VerifiedWindow, at: { to: Date; first: Date | null }): Coverage {
  const summary = { from: window.from, to: window.to, batches: window.batches };
  const starts = at.first === null || new Date(window.from).getTime() <= at.first.getTime();
  const ends = new Date(window.to).getTime() === at.to.getTime();
  const detail =
    starts && ends
      ? `${window.batches} batches checked ${window.from} → ${window.to} contiguously, each before its commit ` +
        `(${window.legacyRows} legacy minutes then; ${window.rewritten} written once more after legacy changed them during their batch)`
      : `the batches checked ${window.from} → ${window.to}, which does not cover the history ` +
        `(${!starts ? `the first legacy minute is ${at.first?.toISOString()}` : `the copy ends at ${at.to.toISOString()}`}): ` +
        'every row’s form was read instead';
  return { covered: starts && ends, detail, window: summary };
}

/**
 * Which of the given minutes' active legacy rows changed after `since` (derived_data_bars.updated_at,
 * kept current by its trigger). Read by key for the few differing minutes only, so the comparison's
 * index-only scans stay index-only.
 */
async function readRevisedSince(
  sql: SqlOrTx,
  params: { since: Date; minutes: string[] },
): Promise<NonNullable<CopyComparison['mismatched']['revisedAfterCatchUp']>> {
  const rows =
    params.minutes.length === 0
      ? []
      : await sql<{ ts_utc: Date }[]>`
    select ts_utc from public.derived_data_bars
     where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null
       and ts_utc = any(${params.minutes}::timestamptz[]) and updated_at > ${params.since}
     order by ts_utc`;
  return { since: params.since.toISOString(), total: rows.length, minutes: rows.map((r) => r.ts_utc.toISOString()) };
}

/**
 * Whose the differing rows listed are: the copy's own (legacy revised them after their batch, and a
 * run of phase 4 again rewrites them), or another writer's, which no copy overwrites.
 */
function byOwner(samples: { owner: string }[]): string {
  const counts = new Map<string, number>();
  for (const s of samples) counts.set(s.owner, (counts.get(s.owner) ?? 0) + 1);
  const own = counts.get(COPY_OWNER) ?? 0;
  const others = [...counts].filter(([owner]) => owner !== COPY_OWNER);
  return [
    ...(own > 0
      ? [`${own} written by the copy and revised in legacy since their batch (phase 4 run again rewrites them)`]
      : []),
    ...(others.length > 0
      ? [
          `${others.map(([owner, n]) => `${n} owned by ${owner}`).join(', ')}, not overwritten by the copy (Reconcile repairs them)`,
        ]
      : []),
  ]
    .map((part) => `; of those listed: ${part}`)
    .join('');
}

export function copyChecks(comparison: CopyComparison): Check[] {
  const revised = comparison.mismatched.revisedAfterCatchUp;
  const excused = new Set(revised?.minutes ?? []);
  const unexplained = comparison.mismatched.total - excused.size;
  const unexplainedSamples = comparison.mismatched.samples.filter((m) => !excused.has(m.ts_utc));
  const first = (samples: { ts_utc: string }[]) =>
    samples
      .slice(0, 5)
      .map((s) => s.ts_utc)
      .join(', ');
  const coverage = comparison.coverage;
  return [
    ...(coverage
      ? [
          {
            name: 'Checked batch by batch before each commit',
            kind: 'finding' as const,
            passed: true,
            detail: coverage.detail,
            evidence: coverage,
          },
        ]
      : []),
    {
      name: 'Every legacy minute is in data_bars',
      passed: comparison.missing.total === 0,
      detail:
        comparison.missing.total === 0
          ? `${comparison.legacyRows} legacy minutes, all present`
          : `${comparison.missing.total} legacy minutes missing from data_bars, first: ${first(comparison.missing.samples)}`,
      evidence: comparison.missing,
    },
    {
      name: `Same close (relative difference ≤ ${DXY_CLOSE_TOLERANCE})`,
      passed: unexplained === 0,
      detail:
        comparison.mismatched.total === 0
          ? 'every shared minute has the same close'
          : unexplained === 0
            ? `every shared minute has the same close, but for the ${revised?.total} legacy revised after the copy's catch-up (below)`
            : `${unexplained} minutes differ, first: ${first(unexplainedSamples)}${byOwner(unexplainedSamples)}`,
      evidence: comparison.mismatched,
    },
    ...(revised && revised.total > 0
      ? [
          {
            name: 'Legacy minutes revised after the copy’s catch-up',
            kind: 'finding' as const,
            passed: true,
            detail:
              `${revised.total} legacy minutes changed after ${revised.since} (a provider revision landing between the copy's ` +
              `catch-up and this comparison), first: ${revised.minutes.slice(0, 5).join(', ')}; phase 5's bridge carries them across.`,
            evidence: revised,
          },
        ]
      : []),
    {
      name: 'Extra data_bars minutes explained',
      passed: comparison.extras.samples.every((e) => !e.explanation.startsWith('UNEXPLAINED')),
      detail:
        comparison.extras.total === 0
          ? 'none'
          : `${comparison.extras.total} minutes only in data_bars: ${[...new Set(comparison.extras.samples.map((e) => e.explanation))].join('; ')}`,
      evidence: comparison.extras,
    },
    {
      name: `Every DXY row in data_bars is in the final form (source '${FINAL_SOURCE}', raw.kind '${FINAL_KIND}')`,
      passed: comparison.notFinal.total === 0,
      detail:
        comparison.notFinal.total === 0
          ? `all ${comparison.dataBarsRows} DXY minutes are ${FINAL_SOURCE} with raw.kind ${FINAL_KIND}`
          : `${comparison.notFinal.total} DXY rows are not: ${comparison.notFinal.byForm
              .map((f) => `${f.rows} with ${describeForm(f)} (${f.first} → ${f.last})`)
              .join('; ')}; first: ${first(comparison.notFinal.samples)}. ` +
            'They are left from an earlier attempt, and a copy never overwrites a row it did not write. Run phase 2’s "Apply fix", ' +
            'which normalises them (keeping what they were in raw), then run phase 4 again.',
      evidence: comparison.notFinal,
    },
  ];
}
