/**
 * What each phase did, in the sentences an approver reads: the backup and its proof (1), the schema
 * (2), the function (3), the copy's counts (4), the switch (5), the health checks (6), the deploy
 * (7), the final proof and soft-delete (9), a rollback. Read from the figures a phase stores in its
 * result and checkpoint; anything not stored is left unsaid (the checks table still shows it).
 */
import type { ReportPhaseRun, RunReport } from './read-run-report';
import { at, count, plural } from './report-words';

export interface PhaseStory {
  sentences: string[];
  figures: { label: string; value: string }[];
}

type Values = Record<string, unknown>;

const num = (value: unknown): number | null => (typeof value === 'number' ? value : null);
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

function backupStory(report: RunReport): PhaseStory {
  const backup = report.backup;
  if (!backup) return { sentences: ['No backup is recorded for this run.'], figures: [] };
  const tables = (Array.isArray(backup.tables) ? backup.tables : []) as Values[];
  return {
    sentences: [
      `Backup #${backup.id} was taken at ${at(backup.takenAt)} and ${backup.verified ? 'verified by restoring it into a scratch schema: counts and checksums match the live rows' : 'is NOT verified'}.`,
      `File dump: ${backup.dumpFile ?? backup.dumpNote ?? 'none'}.`,
    ],
    figures: tables.map((t) => ({
      label: `${String(t.source ?? '—')} → ${String(t.copy ?? '—')}`,
      value: `${count(t.rows)} DXY rows${t.checksum === t.copyChecksum && t.rows === t.copyRows ? ', checksum matches' : ', copy DIFFERS'}`,
    })),
  };
}

function copyStory(run: ReportPhaseRun['run']): PhaseStory {
  const c: Values = { ...run.progress, ...run.checkpoint };
  const method = String(run.options.method ?? c.method ?? 'copy');
  const sentences = [
    `It ${method === 'regenerate' ? 'regenerated' : 'copied'} ${count(c.rowsWritten)} of ${count(c.rowsScanned ?? c.rowsDone)} legacy DXY minutes into data_bars in ${plural(num(c.batches) ?? 0, 'batch', 'batches')}, each committed with its checkpoint.`,
  ];
  const revised = num(c.rowsRevised) ?? 0;
  if (revised > 0) sentences.push(`${count(revised)} copied minutes took legacy’s revised values.`);
  const notRegenerated = (c.notRegenerated as { total?: number } | undefined)?.total ?? 0;
  if (notRegenerated > 0)
    sentences.push(`${count(notRegenerated)} minutes could not be regenerated and were copied from legacy.`);
  return {
    sentences,
    figures: [
      { label: 'Legacy minutes read', value: count(c.rowsScanned ?? c.rowsDone) },
      { label: 'Minutes written to data_bars', value: count(c.rowsWritten) },
      { label: 'Batches (longest)', value: `${count(c.batches)} (${count(c.maxBatchMs)} ms)` },
      { label: 'Copied up to', value: at(str(c.cursor)) },
    ],
  };
}

function switchStory(result: Values): PhaseStory {
  return {
    sentences: [
      `The registry row and the aggregator were switched to read data_bars${result.aggregatorReplaced ? ' (aggregator replaced, keeping its signature, owner and grants)' : ''}; ${count(result.catchUpRows)} legacy minutes written since the copy were carried across in the same transaction.`,
      result.workerDeploymentPrepared
        ? `The workers’ deployment was prepared in mode ${String(result.workerDeploymentPrepared)}.`
        : '',
    ].filter(Boolean),
    figures: [],
  };
}

function healthStory(result: Values): PhaseStory {
  return {
    sentences: [
      `The health checks were taken at ${at(str(result.checkedAt))} on data up to ${at(str(result.dataFrontier))} (the minute every component had reported).`,
    ],
    figures: [],
  };
}

function deployStory(result: Values): PhaseStory {
  return {
    sentences: [
      `The workers were deployed in mode dual at ${at(str(result.deployedAt))}; the verified end of this phase opens the 24-hour window.`,
      `Before the deployment ${count(result.gapFilledRows)} legacy minutes were copied to close the gap, ${count(result.revisedRows)} copied minutes took revised values and ${count(result.rederivedRows)} were re-derived.`,
    ],
    figures: [],
  };
}

function softDeleteStory(report: RunReport, run: ReportPhaseRun['run']): PhaseStory {
  const proof = run.result.finalProof as Values | undefined;
  const sentences: string[] = [];
  if (proof) {
    const differences = num(proof.differences) ?? 0;
    sentences.push(
      `The final proof compared ${count(proof.legacyMinutes)} active legacy minutes (${at(str(proof.from))} to ${at(str(proof.to))}) with data_bars: ${differences === 0 ? 'every one is there with the same close' : `${count(differences)} differ, waived by the approver by typing their count`}.`,
    );
  }
  sentences.push(
    `${count(report.softDelete.softDeleted)} legacy DXY 1m rows were soft-deleted (each recorded, so a rollback restores exactly those); the workers run in mode final.`,
  );
  return { sentences, figures: [] };
}

function rollbackStory(run: ReportPhaseRun['run']): PhaseStory {
  const c = run.checkpoint as Values;
  return {
    sentences: [
      `Rollback with data ${String(run.options.data ?? '—')}: ${count(c.restored ?? 0)} soft-deleted rows restored, ${count(c.skipped ?? 0)} skipped because their key already had an active row.`,
    ],
    figures: [],
  };
}

export function phaseStory(report: RunReport, entry: ReportPhaseRun): PhaseStory {
  const { run } = entry;
  if (run.status !== 'succeeded' && run.phase !== 'rollback') return { sentences: [], figures: [] };
  switch (run.phase) {
    case '1':
      return backupStory(report);
    case '4':
      return copyStory(run);
    case '5':
      return switchStory(run.result);
    case '6':
      return healthStory(run.result);
    case '7':
      return deployStory(run.result);
    case '9':
      return softDeleteStory(report, run);
    case 'rollback':
      return rollbackStory(run);
    default:
      return { sentences: [], figures: [] };
  }
}
