/**
 * Reconcile (docs/phases.md "Reconcile"): the console's repair of DXY minutes where data_bars does
 * not equal legacy by value — the way out of a failed final proof or a compare page showing
 * differences, instead of hand SQL. Two people: an operator requests it for a range, an approver
 * who is not the requester approves it after reading the preview (counts per kind, samples with
 * both closes, the exact statements). Allowed during an open migration run once phase 4 has
 * succeeded, as one run like any phase (the runner's one-run-at-a-time rule keeps it from racing a
 * phase). Over CUTOVER_RECONCILE_MAX_ROWS rows it is refused with the counts.
 *
 * One transaction: lock legacy writers out, count, copy the missing minutes, overwrite the
 * differing 'synthetic' rows with legacy's values (./reconcile-statements.ts says why not
 * regenerate), count again — any missing or differing minute left rolls everything back.
 */
import { z } from 'zod';
import { ActionRefused } from '../../../auth/action';
import type { SqlOrTx } from '../../../db/connection';
import { definePhase } from '../../engine/define-phase';
import { requireSucceeded } from '../../engine/preconditions';
import { bound, planned } from '../../engine/statements';
import type { Preview } from '../../engine/types';
import type { Check } from '../../engine/verification';
import { type ReconcileRange, reconcileRangeOf } from './reconcile-range';
import {
  countReconcile,
  RECONCILE_COPY_MISSING_SQL,
  RECONCILE_LOCK_SQL,
  RECONCILE_OVERWRITE_SQL,
  RECONCILE_PARAMETERS,
  type ReconcileCounts,
  type ReconcileSample,
  rowsToWrite,
  sampleReconcile,
  unfixable,
} from './reconcile-statements';

/** Minutes of each kind the preview and the approval request show. */
const RECONCILE_SAMPLES_PER_KIND = 10;

const RECONCILE_CHECKPOINT = z.looseObject({ stage: z.enum(['reconcile', 'verify']).optional() });

function countsLine(counts: ReconcileCounts): string {
  return (
    `${counts.missing} legacy minutes missing in data_bars (copied), ${counts.differing} synthetic rows whose close differs ` +
    `(overwritten with legacy's values); not fixable: ${counts.otherWriter} differing rows of another writer (source not ` +
    `'synthetic', left as they are), ${counts.noLegacy} data_bars minutes with no legacy row (nothing to copy from)`
  );
}

function describeReconcileSample(s: ReconcileSample): string {
  const at = s.tsUtc.toISOString();
  switch (s.kind) {
    case 'missing in data_bars':
      return `${at} missing in data_bars: copy legacy close ${s.legacyClose}`;
    case 'close differs':
      return `${at} close differs: data_bars ${s.newClose} → legacy ${s.legacyClose}`;
    case 'another writer’s row':
      return `${at} another writer's row ('${s.source}'): data_bars ${s.newClose}, legacy ${s.legacyClose} — not changed`;
    case 'no legacy row':
      return `${at} no legacy row: data_bars ${s.newClose} — not changed`;
  }
}

function overLimit(counts: ReconcileCounts, max: number, range: { from: Date; to: Date }): string {
  return (
    `Reconcile would write ${rowsToWrite(counts)} rows in ${range.from.toISOString()} – ${range.to.toISOString()}, more than ` +
    `CUTOVER_RECONCILE_MAX_ROWS (${max}): ${countsLine(counts)}. Nothing was changed; narrow the range.`
  );
}

function requireRange(range: ReconcileRange): { from: Date; to: Date } {
  if (!range.ok) throw new Error(`${range.problem} Nothing was changed.`);
  return range;
}

async function verifyRange(sql: SqlOrTx, range: { from: Date; to: Date }): Promise<Check[]> {
  const counts = await countReconcile(sql, range);
  const samples = await sampleReconcile(sql, { ...range, perKind: RECONCILE_SAMPLES_PER_KIND });
  const shown = (kind: ReconcileSample['kind']) => samples.filter((s) => s.kind === kind).map(describeReconcileSample);
  return [
    {
      name: 'Every legacy minute of the range is in data_bars',
      passed: counts.missing === 0,
      detail: `${counts.missing} of ${counts.legacy} active legacy minutes missing in data_bars`,
      evidence: { samples: shown('missing in data_bars') },
    },
    {
      name: 'No synthetic row of the range differs from legacy',
      passed: counts.differing === 0,
      detail: `${counts.differing} synthetic rows whose close differs from legacy`,
      evidence: { samples: shown('close differs') },
    },
    {
      name: 'Not fixed by Reconcile',
      passed: true,
      kind: 'finding',
      detail:
        unfixable(counts) === 0
          ? 'nothing: every minute of the range agrees'
          : `${counts.otherWriter} differing rows of another writer (not changed), ${counts.noLegacy} data_bars minutes with no legacy row`,
      evidence: { samples: [...shown('another writer’s row'), ...shown('no legacy row')] },
    },
  ];
}

export const reconcilePhase = definePhase({
  id: 'reconcile',
  number: null,
  day: null,
  estimateMinutes: 5,
  pointOfNoReturn:
    'The commit of its one transaction: until then a failure (or a re-count that still finds a difference) rolls every row back. After it, the rows it overwrote keep their former close in raw.close_before.',
  stages: [
    { id: 'reconcile', title: 'copy, overwrite and re-count in one transaction' },
    { id: 'verify', title: 'verify the committed range against legacy' },
  ],
  checkpoint: RECONCILE_CHECKPOINT,
  title: 'Reconcile',
  intent: 'Make data_bars equal legacy by value over a range: copy missing minutes, overwrite differing ones.',
  options: [
    {
      name: 'from',
      label: 'From (UTC minute)',
      choices: [],
      input: 'minute',
      requiredMessage: 'Give from: a UTC minute',
    },
    {
      name: 'to',
      label: 'To (UTC minute, exclusive)',
      choices: [],
      input: 'minute',
      requiredMessage: 'Give to: a UTC minute',
    },
  ],
  confirmation: 'RECONCILE',
  approval: {
    kind: 'reconcile',
    word: 'RECONCILE',
    summary: 'Reconcile: make data_bars’ DXY 1m rows equal legacy by value over a range',
  },
  description:
    'Over a range of minutes, copies the active legacy DXY 1m minutes that data_bars lacks and overwrites the synthetic ' +
    'data_bars rows whose close differs from legacy with legacy’s values (not regenerated from components: legacy is what ' +
    'compare and phase 9’s final proof check against, and it exists where a component was lost). Rows of another source ' +
    'and data_bars minutes with no legacy row are reported, never changed. One transaction, re-counted before it commits; ' +
    'refused over CUTOVER_RECONCILE_MAX_ROWS rows. An approver other than the requester approves it.',

  async preconditions(ctx) {
    return [await requireSucceeded(ctx, '4', 'Phase 4 (copy) succeeded')];
  },

  async preview({ database, clock, config, options }): Promise<Preview> {
    const statements = [
      planned('reconcile', RECONCILE_LOCK_SQL),
      planned('reconcile', RECONCILE_COPY_MISSING_SQL, RECONCILE_PARAMETERS),
      planned('reconcile', RECONCILE_OVERWRITE_SQL, RECONCILE_PARAMETERS),
    ];
    const method =
      'Overwrites with legacy’s values; does not regenerate from components (a regenerated close equals legacy only while the components are unchanged, and cannot exist where one was lost).';
    const range = reconcileRangeOf(options, clock.now());
    if (!range.ok) return { summary: [range.problem, method], sql: [], statements, estimates: {} };
    const counts = await countReconcile(database.sql, range);
    const samples = await sampleReconcile(database.sql, { ...range, perKind: RECONCILE_SAMPLES_PER_KIND });
    const rows = rowsToWrite(counts);
    const max = config.reconcileMaxRows;
    return {
      summary: [
        `Range ${range.from.toISOString()} – ${range.to.toISOString()} (to exclusive): ${counts.legacy} active legacy minutes, ${counts.dataBars} data_bars rows.`,
        `Found ${countsLine(counts)}.`,
        method,
        rows > max
          ? `REFUSED: ${rows} rows to write, over CUTOVER_RECONCILE_MAX_ROWS (${max}); narrow the range.`
          : rows === 0
            ? 'Nothing to write: every legacy minute of the range is in data_bars with the same close.'
            : `In one transaction: lock legacy writers out, copy ${counts.missing} minutes, overwrite ${counts.differing} rows, re-count; anything left missing or differing rolls it all back.`,
        ...samples.map((s) => `  e.g. ${describeReconcileSample(s)}`),
      ],
      sql: [],
      statements,
      estimates: {
        'missing in data_bars': counts.missing,
        'close differs': counts.differing,
        'another writer (not fixed)': counts.otherWriter,
        'no legacy row (not fixed)': counts.noLegacy,
        'rows to write': rows,
        'size limit': max,
      },
    };
  },

  // The range and the size limit are refused at the request, so nothing waits for an approver in vain.
  async onStart({ database, clock, config, options }) {
    const range = reconcileRangeOf(options, clock.now());
    if (!range.ok) throw new ActionRefused(range.problem);
    const counts = await countReconcile(database.sql, range);
    if (rowsToWrite(counts) > config.reconcileMaxRows)
      throw new ActionRefused(overLimit(counts, config.reconcileMaxRows, range));
    if (rowsToWrite(counts) === 0)
      throw new ActionRefused(
        `Nothing to reconcile in ${range.from.toISOString()} – ${range.to.toISOString()}: ${countsLine(counts)}.`,
      );
    const samples = await sampleReconcile(database.sql, { ...range, perKind: 3 });
    return {
      options: { countsAtRequest: counts },
      approvalNote: ` ${range.from.toISOString()} – ${range.to.toISOString()}: ${countsLine(counts)}. E.g. ${samples.map(describeReconcileSample).join('; ')}.`,
    };
  },

  async execute(ctx) {
    if (ctx.run.checkpoint.stage === 'verify') return { state: 'done' };
    const range = requireRange(reconcileRangeOf(ctx.run.options, ctx.clock.now()));
    const params = [range.from, range.to, ctx.run.id];
    const max = ctx.config.reconcileMaxRows;
    const done = await ctx.commitStep(
      async (tx) => {
        await tx.unsafe(`SET LOCAL lock_timeout = ${ctx.config.ddlLockTimeoutMs}`);
        await ctx.exec(tx, bound(RECONCILE_LOCK_SQL));
        const before = await countReconcile(tx, range);
        if (rowsToWrite(before) > max) throw new Error(overLimit(before, max, range));
        const copied = (await ctx.exec(tx, bound(RECONCILE_COPY_MISSING_SQL, params))).count;
        const overwritten = (await ctx.exec(tx, bound(RECONCILE_OVERWRITE_SQL, params))).count;
        const after = await countReconcile(tx, range);
        if (after.missing > 0 || after.differing > 0)
          throw new Error(
            `Reconcile re-counted before committing and still found ${after.missing} missing and ${after.differing} differing ` +
              'minutes (a writer changed the range meanwhile): rolled back, nothing was changed. Look at the preview again and request it anew.',
          );
        return { before, after, copied, overwritten };
      },
      (value) => ({
        checkpoint: { stage: 'verify' },
        result: {
          from: range.from.toISOString(),
          to: range.to.toISOString(),
          copied: value.copied,
          overwritten: value.overwritten,
          before: value.before,
          after: value.after,
          notFixed: { otherWriter: value.after.otherWriter, noLegacy: value.after.noLegacy },
        },
      }),
    );
    await ctx.log(
      `Reconciled ${range.from.toISOString()} – ${range.to.toISOString()}: copied ${done.copied} minutes, overwrote ${done.overwritten} rows; ` +
        `left as they are: ${done.after.otherWriter} rows of another writer, ${done.after.noLegacy} minutes with no legacy row.`,
    );
    return { state: 'done' };
  },

  async verify(ctx) {
    const range = reconcileRangeOf(ctx.run.options, ctx.clock.now());
    if (!range.ok) return { passed: false, checks: [{ name: 'Range', passed: false, detail: range.problem }] };
    const checks = await verifyRange(ctx.sql, range);
    return { passed: checks.every((c) => c.passed), checks };
  },
});
