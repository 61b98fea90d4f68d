/**
 * `npm run cutover -- pace` (docs/operations.md "Pacing"): the real CLI process over the console's
 * CLI API, through the same audited action as the phase page's form. Shows the limits; changes
 * the named ones; a viewer and a value out of range change nothing.
 */
import { describe, expect, it } from 'vitest';
import { readPacingLimits } from '../lib/runbook/engine/pacing/pacing-limits';
import { useOperatorAndViewerCli } from '../test-support/cli-operator-and-viewer';

// Each CLI call starts node and tsx (seconds on a busy two-core machine).
describe('the cutover CLI paces the batched phases', { timeout: 240_000 }, () => {
  const { cli, database } = useOperatorAndViewerCli();

  it('refuses a viewer (exit 3) and a value out of range (exit 2), changing nothing', async () => {
    const before = await readPacingLimits(database().sql);
    const viewer = await cli(['pace', '--batch-rows', '500'], 'viewer');
    expect(viewer.code).toBe(3);
    expect(viewer.stdout).toContain('refused: Requires role operator');
    const range = await cli(['pace', '--pace-ms', '9999999'], 'operator');
    expect(range.code).toBe(2);
    expect(range.stdout).toContain('invalid: paceMs');
    const word = await cli(['pace', '--pace-ms', 'fast'], 'operator');
    expect(word.code).toBe(2);
    expect(word.stderr).toContain('--pace-ms needs a whole number');
    expect(await readPacingLimits(database().sql)).toEqual(before);
  });

  it('changes the named limits, audited with the token, and shows them', async () => {
    const changed = await cli(['pace', '--batch-rows', '2500', '--max-replica-lag-s', '3', '--json'], 'operator');
    expect(changed.code, changed.stderr).toBe(0);
    expect(JSON.parse(changed.stdout)).toMatchObject({
      status: 'ok',
      data: { changed: ['batchRows default → 2500', 'maxReplicaLagS 5 → 3'], activeRunId: null },
    });
    expect(await readPacingLimits(database().sql)).toMatchObject({
      batchRows: 2500,
      maxReplicaLagS: 3,
      updatedBy: 'cli-operator',
    });
    const [audit] = await database().sql<{ detail: { via?: string } }[]>`
      select detail from cutover.audit_events where action = 'runbook.set_pacing' and outcome = 'ok'`;
    expect(audit?.detail.via).toMatch(/^token /);
    const shown = await cli(['pace'], 'viewer');
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/batchRows\s+2500/);
    expect(shown.stdout).toContain('no active run');
    const reset = await cli(['pace', '--batch-rows', 'default'], 'operator');
    expect(reset.code, reset.stderr).toBe(0);
    expect((await readPacingLimits(database().sql)).batchRows).toBeNull();
  });
});
