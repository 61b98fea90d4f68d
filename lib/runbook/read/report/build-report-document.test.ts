import { describe, expect, it } from 'vitest';
import type { PhaseRunRow } from '../../engine/run-state';
import { buildReportDocument } from './build-report-document';
import { looksLikeJson } from './plain-text';
import type { ReportPhaseRun, RunReport } from './read-run-report';

const T0 = new Date('2026-11-25T14:30:00Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

function phaseRun(
  id: number,
  phase: string,
  fields: Partial<PhaseRunRow>,
  extra: Partial<ReportPhaseRun> = {},
): ReportPhaseRun {
  const run = {
    id,
    phase,
    status: 'succeeded',
    options: {},
    requestedBy: 'olivia',
    requestedAt: minutes(id),
    startedAt: minutes(id),
    finishedAt: minutes(id),
    clockStartedAt: minutes(id),
    clockFinishedAt: minutes(id),
    attempt: 1,
    checkpoint: {},
    progress: {},
    result: {},
    verification: { passed: true, checks: [{ name: 'Something holds', passed: true, detail: 'it does' }] },
    error: null,
    leaseOwner: null,
    ...fields,
  } as PhaseRunRow;
  return {
    run,
    number: null,
    title: `Title of ${phase}`,
    approval: null,
    runners: ['runner-a'],
    events: [],
    figures: [],
    ...extra,
  };
}

/** A run with a copy, a failed hour waived, phase 9 rejected once, refused actions, and a rollback. */
function troubledRun(): RunReport {
  const copy = phaseRun(4, '4', {
    checkpoint: { rowsWritten: 2836, rowsScanned: 2836, batches: 1 },
    verification: {
      passed: true,
      checks: [
        {
          name: 'Every legacy minute is in data_bars',
          passed: true,
          detail: '2836 legacy minutes, all present',
          evidence: { total: 0 },
        },
        {
          name: 'Same close (relative difference ≤ 1e-9)',
          passed: true,
          detail: 'every shared minute has the same close',
        },
        {
          name: 'Registry metadata has the four keys',
          passed: true,
          detail: '{"is_synthetic":true,"base_timeframe":"1m"}',
        },
      ],
    },
  });
  const rejected = phaseRun(
    8,
    '9',
    { status: 'rejected', startedAt: null, finishedAt: null, verification: null },
    {
      approval: {
        id: 1,
        kind: 'soft-delete',
        status: 'rejected',
        phaseRunId: 8,
        requestedBy: 'olivia',
        requestedAt: minutes(2000),
        decidedBy: 'ava',
        decidedAt: minutes(2001),
        reason: 'Parity looked off at 03:00, wait a day',
        requesterAccount: null,
        deciderAccount: null,
      },
    },
  );
  const rollback = phaseRun(9, 'rollback', { options: { data: 'keep' }, checkpoint: { restored: 0, skipped: 0 } });
  const firstHour = minutes(30);
  const hours = Array.from({ length: 24 }, (_, index) => ({
    index,
    hourStart: new Date(firstHour.getTime() + index * 3_600_000),
    state: (index === 3 ? 'FAIL' : 'PASS') as 'FAIL' | 'PASS',
    late: false,
    takenAt: new Date(firstHour.getTime() + (index + 1) * 3_600_000),
    waivedBy: index === 3 ? 'ava' : null,
    waiverReason: index === 3 ? 'Provider gap, understood' : null,
    checks: [],
  }));
  const refusal = (id: number) => ({
    id,
    at: minutes(2002 + id),
    username: 'vic',
    action: 'runbook.start_phase',
    outcome: 'refused' as const,
    inputs: { phase: '9' },
    detail: { reason: 'Requires role operator; vic has viewer.' },
  });
  return {
    generatedAt: minutes(3000),
    migration: { id: 1, status: 'rolled_back', startedBy: 'olivia', startedAt: T0, closedAt: minutes(2900) },
    phaseRuns: [phaseRun(1, '1', {}), copy, phaseRun(7, '7', {}), rejected, rollback],
    previews: [],
    backup: null,
    dryRun: { validation: null, override: null },
    copy,
    window: {
      migrationRunId: 1,
      startedAt: minutes(25),
      firstHour,
      endsAt: new Date(firstHour.getTime() + 24 * 3_600_000),
    },
    hours,
    verdictCounts: { PASS: 23, WARN: 0, FAIL: 1 },
    waivers: [{ hourStart: hours[3]?.hourStart as Date, waivedBy: 'ava', reason: 'Provider gap, understood' }],
    softDelete: { softDeleted: 0, restored: 0 },
    rollbacks: [rollback],
    audit: [refusal(1), refusal(2)],
    auditShown: { total: 2, omitted: null, description: 'Showing 2 of 2 events.' },
    auditChain: {
      state: {
        intact: true,
        events: 2,
        headHash: 'ab',
        headId: 2,
        head: null,
        legacyRows: 0,
        sealed: false,
        confirmed: [],
      },
      description: 'Audit chain intact: 2 events, head #2 ab….',
    },
  } as RunReport;
}

/** Every string of a value, for "no JSON in the body". */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

describe('the migration report as a document', () => {
  const document = buildReportDocument(troubledRun());

  it('says on page one that the run was rolled back', () => {
    expect(document.pageOne.outcome.headline).toMatch(/^Rolled back — run #9 \(data keep\)/);
    expect(document.pageOne.verdicts.find((v) => v.key === 'rollback')?.lines[0]?.badge.text).toBe('succeeded');
  });

  it('lists every waiver and every refusal with its reason, the same refusal once with its count', () => {
    expect(document.pageOne.waivers).toEqual([
      expect.objectContaining({
        by: 'ava',
        reason: 'Provider gap, understood',
        what: 'FAIL hour 2026-11-25 18:00 UTC',
      }),
    ]);
    expect(document.pageOne.refusals).toEqual([
      expect.objectContaining({ by: 'ava', reason: 'Parity looked off at 03:00, wait a day', count: 1 }),
      expect.objectContaining({ by: 'vic', reason: 'Requires role operator; vic has viewer.', count: 2 }),
    ]);
  });

  it('gives the copy by key and by value, and the window as 24 cells with the waived one marked', () => {
    const copy = document.pageOne.verdicts.find((v) => v.key === 'copy');
    expect(copy?.lines.map((l) => [l.label, l.badge.text, l.text])).toEqual([
      ['By key', 'PASS', '2836 legacy minutes, all present'],
      ['By value', 'PASS', 'every shared minute has the same close'],
      ['Written', 'succeeded', '2,836 minutes into data_bars (method copy), run #4'],
    ]);
    expect(document.pageOne.strip).toHaveLength(24);
    expect(document.pageOne.strip.filter((c) => c.waived).map((c) => c.index)).toEqual([3]);
  });

  it('places phase 8 after phase 7 in the timeline and the sections', () => {
    expect(document.pageOne.timeline.map((r) => r.phase)).toEqual(['1', '4', '7', '8', '9', 'rollback']);
    expect(document.phases.map((s) => s.phase)).toEqual(['1', '4', '7', '8', '9', 'rollback']);
  });

  it('keeps JSON out of the body and puts the evidence in the appendix', () => {
    const body = strings({ pageOne: document.pageOne, phases: document.phases });
    expect(body.filter(looksLikeJson)).toEqual([]);
    expect(strings(document.appendix).some(looksLikeJson)).toBe(true);
    const phase5Like = document.phases.find((s) => s.runId === 4)?.checks.at(-1)?.finding;
    expect(phase5Like).toBe('is synthetic: true; base timeframe: 1m');
  });
});
