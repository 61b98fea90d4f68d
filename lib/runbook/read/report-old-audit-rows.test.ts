/**
 * The migration report's audit events (lib/runbook/read-run-report.ts) include rows written before worker output
 * was redacted at the source, which can still hold the command line and stderr: the report, read by viewers and
 * saved into the change record, reduces them like the run's own events (hideWorkerOutput).
 */
import { describe, expect, it } from 'vitest';
import { MIDWEEK_NOW } from '../../../test-support/test-world';
import { useTestWorld } from '../../../test-support/world-database';
import { readRunReport } from './report/read-run-report';

const COMMAND = 'kubectl --context prod-eu rollout restart deploy/dxy-feed';
const STDERR = 'error: token ghp_example expired for prod-eu';

describe('the report’s audit rows of earlier versions', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 1 });

  it('hold nothing of a worker command but how it ended', async () => {
    const run = await test.driver.run('1');
    const { sql } = test.database;
    // As an earlier version stored it, inside the run's window (the chain does not matter to the report's list).
    await sql`
      insert into cutover.audit_events (at, chain_position, row_hash, user_id, username, action, outcome, inputs, detail)
      select started_at + interval '1 second', 1000000, repeat('ab', 32), 1, 'olga', 'runbook.stop_workers', 'failed',
             ${sql.json({ phase: '4' })},
             ${sql.json({
               error: `Worker command failed (exit 3): ${COMMAND}\n${STDERR}`,
               output: { exitCode: 3, command: COMMAND, stdout: '', stderr: STDERR, durationMs: 812 },
             })}
        from cutover.migration_runs where id = ${run.migrationRunId}`;
    const report = await readRunReport(test.database, { migrationRunId: run.migrationRunId, withPreviews: false });
    const old = report?.audit.find((event) => event.action === 'runbook.stop_workers');
    expect(old).toBeDefined();
    const text = JSON.stringify(old);
    expect(text).not.toContain('kubectl');
    expect(text).not.toContain('ghp_example');
    expect(text).toContain('worker command failed (exit 3), see the runner log');
    expect(text).toContain('"exitCode":3');
  });
});
