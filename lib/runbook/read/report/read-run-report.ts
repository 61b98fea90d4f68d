/**
 * The record of one migration run the migration report is made of, read in one place so the
 * printable page (/runs/N/report) and `npm run cutover -- report N` cannot disagree: who requested,
 * approved and ran each phase and when, each phase's preview and verification evidence, the copy's
 * figures, the hourly snapshots, waivers, soft-delete and rollback counts, the backup, and the audit
 * events of the run with the state of the audit log's hash chain. Read-only. It is also the CLI's
 * `--json`; ./build-report-document.ts turns it into the document people read.
 */
import type { AccountOrigin } from '../../../auth/account-origin';
import type { AuditEventSummary } from '../../../auth/audit';
import { type AuditChainState, describeAuditChain } from '../../../auth/audit-chain';
import { verifyAuditChainIncrementally } from '../../../auth/audit-chain-cache';
import { type AuditWindow, describeAuditWindow, listActionAuditWindow } from '../../../auth/audit-window';
import type { Database } from '../../../db/connection';
import { type Approval, listApprovalsOfRuns } from '../../../db/tables/approvals';
import { latestBackup } from '../../../db/tables/backups';
import { getMigrationRun, listMigrationRuns } from '../../../db/tables/migration-runs';
import { listMonitorSnapshots } from '../../../db/tables/monitor-snapshots';
import { listLatestEventsOfRuns, listRunnersOfRuns } from '../../../db/tables/phase-run-events';
import { firstSucceededClockFinish } from '../../../db/tables/phase-runs';
import { countSoftDeletedRows } from '../../../db/tables/soft-deleted-rows';
import { loadClock } from '../../../market/clock';
import type { SnapshotCheck, Verdict } from '../../../monitor/hourly-checks';
import { hourStartOf, type MonitorWindow, WINDOW_HOURS, windowFrom } from '../../../monitor/monitor-window';
import { runbookConfigFromEnv } from '../../engine/config';
import { listPhaseRuns, type MigrationRunRow, type PhaseRunEvent, type PhaseRunRow } from '../../engine/run-state';
import type { Preview } from '../../engine/types';
import { findPhase, isPhaseId } from '../../phases';
import { type ReportValidationSection, readValidationBefore } from '../../validate/report-section';
import { hideWorkerOutput } from '../../worker-control/hide-worker-output';

/** A phase run's request as the report carries it: every column but the summary, the shape its JSON always had. */
type ReportApproval = Pick<
  Approval,
  'id' | 'kind' | 'status' | 'phaseRunId' | 'requestedBy' | 'requestedAt' | 'decidedBy' | 'decidedAt' | 'reason'
> & {
  /** Who created each of the two accounts and when, as recorded with the decision (lib/auth/account-origin.ts). */
  requesterAccount: AccountOrigin | null;
  deciderAccount: AccountOrigin | null;
};

export interface ReportPhaseRun {
  run: PhaseRunRow;
  /** Plan number (null for the rollback) and title from the runbook. */
  number: number | null;
  title: string;
  approval: ReportApproval | null;
  /** The runner processes that executed it (more than one when a runner died and another took over). */
  runners: string[];
  events: PhaseRunEvent[];
  /** Scalar figures of the run (its result, checkpoint and progress), for the change record. */
  figures: { name: string; value: string }[];
}

export interface ReportPreview {
  phase: string;
  title: string;
  preview: Preview | null;
  /** Why the preview could not be rendered for this run's state (shown instead of it). */
  unavailable: string | null;
}

/** One hour of the window as recorded (a report is a record: an hour without a snapshot is "not taken"). */
export interface ReportHour {
  index: number;
  hourStart: Date;
  /** `provisional`: taken, but late data could still change it when the report was made (not settled). */
  state: Verdict | 'not taken' | 'provisional';
  late: boolean;
  takenAt: Date | null;
  waivedBy: string | null;
  waiverReason: string | null;
  checks: SnapshotCheck[];
}

export interface ReportBackup {
  id: number;
  takenAt: Date;
  verified: boolean;
  tables: unknown;
  dumpFile: string | null;
  dumpNote: string | null;
}

export type ReportAuditEvent = AuditEventSummary;

export interface RunReport {
  generatedAt: Date;
  migration: MigrationRunRow;
  phaseRuns: ReportPhaseRun[];
  /** The latest attempt of each phase that ran, with what it runs (one per phase, plan order). */
  previews: ReportPreview[];
  backup: ReportBackup | null;
  /** The dry run phase 1 stood on: the latest validation before the migration run, or the override (./validate). */
  dryRun: ReportValidationSection;
  /** The succeeded copy (phase 4) run's figures, if the copy finished. */
  copy: ReportPhaseRun | null;
  window: MonitorWindow | null;
  /** The hours of the window: 24, or more if it was extended (empty until phase 7 has succeeded). */
  hours: ReportHour[];
  verdictCounts: Record<Verdict, number>;
  waivers: { hourStart: Date; waivedBy: string; reason: string }[];
  softDelete: { softDeleted: number; restored: number };
  rollbacks: ReportPhaseRun[];
  /** At most AUDIT_LIMIT: the oldest and the newest when the run has more (auditShown says how many of how many). */
  audit: ReportAuditEvent[];
  /** "Showing N of M events" and what was left out: the report never drops events silently. */
  auditShown: { total: number; omitted: AuditWindow['omitted']; description: string };
  /** The whole audit log's hash chain, verified when the report is generated: intact, or where it breaks. */
  auditChain: { state: AuditChainState; description: string };
}

const EVENTS_PER_RUN = 200;
const AUDIT_LIMIT = 2000;

function figuresOf(run: PhaseRunRow): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  const seen = new Set<string>();
  for (const [source, values] of [
    ['result', run.result],
    ['progress', run.progress],
    ['checkpoint', run.checkpoint],
  ] as const) {
    for (const [key, value] of Object.entries(values ?? {})) {
      if (seen.has(key) || key === 'startedWallMs') continue;
      if (typeof value !== 'number' && typeof value !== 'string' && typeof value !== 'boolean') continue;
      seen.add(key);
      const text = typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(2) : String(value);
      out.push({ name: source === 'result' ? key : `${key} (${source})`, value: text });
    }
  }
  return out;
}

async function readPreviews(database: Database, migrationRunId: number, runs: PhaseRunRow[]): Promise<ReportPreview[]> {
  const clock = await loadClock(database.sql);
  const config = runbookConfigFromEnv();
  const phases = [...new Set(runs.map((r) => r.phase))].filter(isPhaseId);
  const out: ReportPreview[] = [];
  for (const id of phases) {
    const phase = findPhase(id);
    const options = runs.findLast((r) => r.phase === id)?.options ?? {};
    try {
      const preview = await phase.preview({ database, clock, config, migrationRunId, options });
      out.push({ phase: id, title: phase.title, preview, unavailable: null });
    } catch (error) {
      out.push({
        phase: id,
        title: phase.title,
        preview: null,
        unavailable: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return out;
}

/** The report of migration run `migrationRunId`, or null when there is no such run. */
export async function readRunReport(
  database: Database,
  params: { migrationRunId: number; withPreviews?: boolean },
): Promise<RunReport | null> {
  const { sql } = database;
  const migration = await getMigrationRun(sql, { id: params.migrationRunId });
  if (!migration) return null;
  const runs = await listPhaseRuns(sql, { migrationRunId: migration.id });
  const runIds = runs.map((r) => r.id);

  const approvals = (await listApprovalsOfRuns(sql, { phaseRunIds: runIds })).map(
    (a): ReportApproval => ({
      id: a.id,
      kind: a.kind,
      status: a.status,
      phaseRunId: a.phaseRunId,
      requestedBy: a.requestedBy,
      requestedAt: a.requestedAt,
      decidedBy: a.decidedBy,
      decidedAt: a.decidedAt,
      reason: a.reason,
      requesterAccount: (a.requesterAccount as AccountOrigin | null) ?? null,
      deciderAccount: (a.deciderAccount as AccountOrigin | null) ?? null,
    }),
  );
  const events = await listLatestEventsOfRuns(sql, { phaseRunIds: runIds, perRun: EVENTS_PER_RUN });
  const runnerRows = await listRunnersOfRuns(sql, { phaseRunIds: runIds });

  const phaseRuns: ReportPhaseRun[] = runs.map((run) => {
    const definition = isPhaseId(run.phase) ? findPhase(run.phase) : null;
    const approval = approvals.find((a) => a.phaseRunId === run.id) ?? null;
    return {
      // Worker output stored by earlier versions (in events and verification evidence) is reduced to its ending.
      run: hideWorkerOutput(run),
      number: definition?.number ?? null,
      title: definition?.title ?? run.phase,
      approval,
      runners: [...new Set(runnerRows.filter((r) => r.phaseRunId === run.id).map((r) => r.runner))],
      events: events
        .filter((e) => e.phaseRunId === run.id)
        .map(({ id, at, level, message, data }) => ({ id, at, level, message, data: hideWorkerOutput(data) })),
      figures: figuresOf(run),
    };
  });

  const stored = await latestBackup(sql, { migrationRunId: migration.id });
  const backup: ReportBackup | null = stored && {
    id: stored.id,
    takenAt: stored.takenAt,
    verified: stored.verified,
    tables: stored.tables,
    dumpFile: stored.dumpFile,
    dumpNote: stored.dumpNote,
  };

  const deployedAt = await firstSucceededClockFinish(sql, { migrationRunId: migration.id, phase: '7' });
  const window = deployedAt ? windowFrom(migration.id, deployedAt) : null;
  const snapshots = await listMonitorSnapshots(sql, { migrationRunId: migration.id });
  const byHour = new Map(snapshots.map((s) => [s.hourStart.getTime(), s]));
  const hours: ReportHour[] = [];
  if (window) {
    // At least 24 hours; more when the window was extended for lack of open-market hours.
    const indexOf = (at: Date) => Math.round((at.getTime() - window.firstHour.getTime()) / 3_600_000);
    const length = Math.max(WINDOW_HOURS, ...snapshots.map((s) => indexOf(s.hourStart) + 1));
    for (let index = 0; index < length; index++) {
      const hourStart = hourStartOf(window, index);
      const snapshot = byHour.get(hourStart.getTime());
      hours.push({
        index,
        hourStart,
        state: snapshot ? (snapshot.settledAt ? snapshot.verdict : 'provisional') : 'not taken',
        late: snapshot?.late ?? false,
        takenAt: snapshot?.takenAt ?? null,
        waivedBy: snapshot?.waivedBy ?? null,
        waiverReason: snapshot?.waiverReason ?? null,
        checks: snapshot?.checks ?? [],
      });
    }
  }
  const verdictCounts: Record<Verdict, number> = { PASS: 0, WARN: 0, FAIL: 0 };
  for (const snapshot of snapshots) verdictCounts[snapshot.verdict] += 1;

  const softDelete = await countSoftDeletedRows(sql, { migrationRunId: migration.id });

  const auditWindow = await listActionAuditWindow(sql, {
    from: migration.startedAt,
    until: migration.closedAt,
    limit: AUDIT_LIMIT,
  });

  // From the last head this process verified, and against the latest anchor (lib/auth/audit-chain-cache.ts).
  const auditChain = (await verifyAuditChainIncrementally(sql)).state;
  const copy = phaseRuns.findLast((p) => p.run.phase === '4' && p.run.status === 'succeeded') ?? null;
  return {
    generatedAt: new Date(),
    migration,
    phaseRuns,
    previews: params.withPreviews === false ? [] : await readPreviews(database, migration.id, runs),
    backup: backup ?? null,
    dryRun: await readValidationBefore(sql, migration.startedAt),
    copy,
    window,
    hours,
    verdictCounts,
    waivers: snapshots
      .filter((s) => s.waivedBy)
      .map((s) => ({ hourStart: s.hourStart, waivedBy: s.waivedBy as string, reason: s.waiverReason ?? '' })),
    softDelete,
    rollbacks: phaseRuns.filter((p) => p.run.phase === 'rollback'),
    // Audit rows of earlier versions may hold worker command text and stderr: reduced like the run's events.
    audit: auditWindow.events.map((event) => ({
      ...event,
      inputs: hideWorkerOutput(event.inputs),
      detail: hideWorkerOutput(event.detail),
    })),
    auditShown: {
      total: auditWindow.total,
      omitted: auditWindow.omitted,
      description: describeAuditWindow(auditWindow),
    },
    auditChain: { state: auditChain, description: describeAuditChain(auditChain) },
  };
}

/** The migration runs a report can be made of, newest first (for links and the CLI's usage text). */
export async function listReportableRuns(
  database: Database,
): Promise<{ id: number; status: string; startedAt: Date }[]> {
  const runs = await listMigrationRuns(database.sql);
  return runs.map(({ id, status, startedAt }) => ({ id, status, startedAt }));
}
