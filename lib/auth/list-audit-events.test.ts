/**
 * The audit page's rows (lib/auth/list-audit-events.ts): rows written before worker output was redacted at the
 * source still hold the command line and stderr; everyone but an admin gets them reduced (the page hands
 * lib/runbook's hideWorkerOutput), the way every other non-admin surface reads stored worker output.
 */
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test-support/world-database';
import { canSeeWorkerOutput, hideWorkerOutput } from '../runbook/worker-control/hide-worker-output';
import { auditFilterSchema, listAuditEvents } from './list-audit-events';
import type { Role } from './roles';

const COMMAND = 'kubectl --context prod-eu rollout restart deploy/dxy-feed';
const STDERR = 'error: token ghp_example expired for prod-eu';

describe('the audit page’s rows of earlier versions', () => {
  const test = useTestDatabase();

  it('shows worker command text and output to admins only', async () => {
    const { sql, db } = test.database;
    // As an earlier version stored them: the output object in the detail, the command line in the error text
    // (the chain does not matter to the listing).
    await sql`
      insert into cutover.audit_events (chain_position, row_hash, user_id, username, action, outcome, inputs, detail)
      values (1, repeat('ab', 32), 1, 'olga', 'runbook.stop_workers', 'failed', ${sql.json({ phase: '4' })},
         ${sql.json({
           error: `Worker command failed (exit 3): ${COMMAND}\n${STDERR}`,
           output: { exitCode: 3, command: COMMAND, stdout: '', stderr: STDERR, durationMs: 812 },
         })})`;
    const filter = auditFilterSchema.parse({ action: 'runbook.stop_workers' });
    const shown = async (roles: Role[]) =>
      JSON.stringify(
        await listAuditEvents(db, filter, { hide: canSeeWorkerOutput(roles) ? undefined : hideWorkerOutput }),
      );

    for (const roles of [['viewer'], ['operator'], ['approver', 'operator']] as Role[][]) {
      const text = await shown(roles);
      expect(text, roles.join()).not.toContain('kubectl');
      expect(text, roles.join()).not.toContain('ghp_example');
      expect(text).toContain('worker command failed (exit 3), see the runner log');
      expect(text).toContain('"exitCode":3');
    }
    const admin = await shown(['admin']);
    expect(admin).toContain(COMMAND);
    expect(admin).toContain('ghp_example');
  });
});
