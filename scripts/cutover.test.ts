import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../lib/auth/users';
import { runScript } from '../test-support/run-script';
import { createTestDatabase, type TestDatabase } from '../test-support/test-database';
import { createTestWorld, MIDWEEK_NOW } from '../test-support/test-world';

function cli(args: string[], env: Record<string, string>) {
  return runScript('scripts/cutover.ts', args, { env: { CUTOVER_PG_DUMP_DIR: 'off', ...env } });
}

describe('the cutover CLI', () => {
  let test: TestDatabase;
  let operator: Record<string, string>;
  let viewer: Record<string, string>;
  beforeAll(async () => {
    test = await createTestDatabase();
    await createTestWorld(test.database, { now: MIDWEEK_NOW, days: 1 });
    // Rehearsal time stands still for the test: the clock anchor's speed is negligible.
    await test.database
      .sql`update cutover.rehearsal_clock set speed = 0.000001, anchor_sim = ${MIDWEEK_NOW}, anchor_wall = now()`;
    await createUser(test.database.db, {
      username: 'cli-operator',
      password: 'cli-operator-password',
      roles: ['operator'],
    });
    await createUser(test.database.db, { username: 'cli-viewer', password: 'cli-viewer-password', roles: ['viewer'] });
    operator = { DATABASE_URL: test.url, CUTOVER_USER: 'cli-operator', CUTOVER_PASSWORD: 'cli-operator-password' };
    viewer = { DATABASE_URL: test.url, CUTOVER_USER: 'cli-viewer', CUTOVER_PASSWORD: 'cli-viewer-password' };
  });
  afterAll(async () => {
    await test.drop();
  });

  it('runs phase 1 and waits for its verified end, as JSON', async () => {
    const result = await cli(['run', '1', '--wait', '--json'], operator);
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const body = JSON.parse(result.stdout) as { status: string; verification: { passed: boolean } };
    expect(body.status).toBe('succeeded');
    expect(body.verification.passed).toBe(true);
  });

  it('shows the status with phase 1 done', async () => {
    const result = await cli(['status', '--json'], viewer);
    expect(result.code, result.stderr).toBe(0);
    const status = JSON.parse(result.stdout) as { runbook: { steps: { id: string; state: string }[] } };
    expect(status.runbook.steps.find((s) => s.id === '1')?.state).toBe('succeeded');
  });

  it('previews the DDL of phase 2’s fix', async () => {
    const result = await cli(['preview', '2-fix'], viewer);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('ALTER TABLE public.core_asset_registry_all ADD COLUMN IF NOT EXISTS metadata');
  });

  it('exits 3 when a viewer tries to run a phase, and the refusal is audited', async () => {
    const result = await cli(['fix', '2', '--json'], viewer);
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout).status).toBe('refused');
    const [audit] = await test.database
      .sql`select outcome from cutover.audit_events where username = 'cli-viewer' and action = 'runbook.start_phase'`;
    expect(audit?.outcome).toBe('refused');
  });

  it('exits 3 on a wrong password and 2 on a usage error', async () => {
    expect((await cli(['status'], { ...operator, CUTOVER_PASSWORD: 'wrong-password' })).code).toBe(3);
    expect((await cli(['run'], operator)).code).toBe(2);
    expect((await cli(['rollback', '--data', 'keep', '--confirm', 'nope'], operator)).code).toBe(2);
  });

  it('exits 1 when the started run fails', async () => {
    // Phase 2's read-only report fails on the production schema (columns missing).
    const result = await cli(['run', '2', '--wait'], operator);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FAIL Registry column metadata');
  });
});
