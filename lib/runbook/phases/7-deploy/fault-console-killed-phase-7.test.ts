import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MIDWEEK_NOW } from '../../../../test-support/test-world';
import { useTestWorld } from '../../../../test-support/world-database';
import { getPhaseRun } from '../../engine/run-state';

/** Resolves with `probe`'s first truthy value; vi.waitFor polls it until then. */
function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>): Promise<T> {
  return vi.waitFor(
    async () => {
      const value = await probe();
      if (!value) throw new Error(`still waiting for ${what}`);
      return value;
    },
    { timeout: 30_000, interval: 100 },
  );
}

/**
 * The runner inside the console is a process of its own here (`npm run runner`'s entry point),
 * killed with SIGKILL while the deploy command runs, as a crashed or redeployed console would be.
 * The deploy command is the boundary we do not own: a shell script that records each call.
 */
describe('the console killed while phase 7 deploys the workers', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 2 }, { through: ['1', '2-fix', '3', '4', '5', '6'] });
  const state = mkdtempSync(join(tmpdir(), 'dxy-cutover-deploy-'));
  const output: string[] = [];
  const runners: ChildProcess[] = [];

  const startRunner = () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/runner.ts'], {
      env: {
        ...process.env,
        DATABASE_URL: test.url,
        CUTOVER_LEASE_SECONDS: '2',
        CUTOVER_WORKER_DEPLOY_CMD: `echo "$WORKER_MODE" >> "${state}/deploys"; touch "${state}/started"; sleep 2; echo "$WORKER_MODE" > "${state}/mode"`,
        CUTOVER_WORKER_STATUS_CMD: `echo "mode=$(cat "${state}/mode" 2>/dev/null || echo legacy)"`,
        CUTOVER_WORKER_RESTART_CMD: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    runners.push(child);
    return child;
  };

  beforeAll(async () => {
    // Real workers from here on: the configured commands, not the rehearsal simulation.
    await test.database.sql`delete from cutover.rehearsal_workers`;
  });
  afterAll(async () => {
    for (const child of runners) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(state, { recursive: true, force: true });
  });

  it('does not deploy a second time after a restart: it asks the workers, which already run dual', async () => {
    const runId = await test.driver.start('7');
    const first = startRunner();
    await waitFor('the deploy command to start', async () => existsSync(join(state, 'started')));
    first.kill('SIGKILL');
    // The deployment itself carries on without the console, as a rollout would.
    await waitFor('the deployment to finish', async () => existsSync(join(state, 'mode')));

    startRunner();
    const resumed = await waitFor('the run to move past the deployment', async () => {
      const run = await getPhaseRun(test.database.sql, { id: runId });
      return run && run.checkpoint.stage !== 'deploying' ? run : null;
    });
    expect(resumed.status, output.join('')).toBe('running');
    expect(readFileSync(join(state, 'deploys'), 'utf8').trim().split('\n')).toEqual(['dual']);
    const events = await test.database.sql<{ level: string; message: string }[]>`
      select level, message from cutover.phase_run_events where phase_run_id = ${runId} order by id`;
    expect(events.map((e) => e.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Taken over from runner/),
        'Resumed after an interruption: the workers already run in mode dual; not deploying again.',
      ]),
    );
  }, 60_000);
});
