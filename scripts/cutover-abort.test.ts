/**
 * `npm run cutover -- abort PHASE|#RUN` (docs/operations.md "Aborting a run"): the real CLI process
 * over the console's CLI API, through the same abort action as the page. No runner: the run stays
 * queued, so the abort ends it at once and the outcome does not depend on timing.
 */
import { describe, expect, it } from 'vitest';
import { insertMigrationRun } from '../lib/db/tables/migration-runs';
import { getPhaseRun, insertPhaseRun } from '../lib/db/tables/phase-runs';
import { useOperatorAndViewerCli } from '../test-support/cli-operator-and-viewer';

// Each CLI call starts node and tsx (seconds on a busy two-core machine).
describe('the cutover CLI aborts a run', { timeout: 240_000 }, () => {
  let runId: number;
  const { cli, database } = useOperatorAndViewerCli(async (db) => {
    const migration = await insertMigrationRun(db.sql, { startedBy: 'cli-operator' });
    runId = await insertPhaseRun(db.sql, {
      migrationRunId: migration.id,
      phase: '4',
      status: 'pending',
      options: { method: 'copy' },
      requestedBy: 'cli-operator',
      attempt: 1,
      checkpoint: {},
    });
  });

  it('refuses a viewer, a missing confirmation and another phase (exit 3), leaving the run queued', async () => {
    const viewer = await cli(['abort', '4', '--confirm', 'ABORT'], 'viewer');
    expect(viewer.code).toBe(3);
    expect(viewer.stdout).toContain('refused: Requires role operator');
    // Not a terminal: the word is not asked for, so nothing confirms it.
    const unconfirmed = await cli(['abort', '4'], 'operator');
    expect(unconfirmed.code).toBe(3);
    expect(unconfirmed.stdout).toContain('refused: Type ABORT to confirm the abort.');
    const other = await cli(['abort', '7', '--confirm', 'ABORT'], 'operator');
    expect(other.code).toBe(3);
    expect(other.stdout).toContain(`The active run is Phase 4 (run #${runId}), not Phase 7: nothing aborted.`);
    expect((await getPhaseRun(database().sql, { id: runId }))?.status).toBe('pending');
  });

  it('aborts by phase with a reason, then by run id a second time without changing anything', async () => {
    const first = await cli(['abort', '4', '--confirm', 'ABORT', '--reason', 'wrong night', '--json'], 'operator');
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({
      status: 'ok',
      data: { runId, phase: '4', status: 'aborted', changed: true },
    });
    const run = await getPhaseRun(database().sql, { id: runId });
    expect(run?.status).toBe('aborted');
    expect(run?.error).toBe('Aborted by cli-operator: wrong night');
    const again = await cli(['abort', `#${runId}`, '--confirm', 'ABORT'], 'operator');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('"changed":false');
    const [audit] = await database().sql<{ detail: { via?: string } }[]>`
      select detail from cutover.audit_events where action = 'runbook.abort' and outcome = 'ok' order by id limit 1`;
    expect(audit?.detail.via).toMatch(/^token /);
  });
});
