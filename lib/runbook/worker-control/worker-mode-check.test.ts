import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandWorkerControl } from './command-workers';
import { workerModeVerdict } from './worker-mode-check';

function commandWorkers(statusCommand: string | null) {
  return commandWorkerControl(
    { deployCommand: 'true', restartCommand: null, statusCommand, timeoutMs: 10_000 },
    { log: () => {} },
  );
}

// A status without a mode line is kept in the runner log: this file's own, not the console's data directory.
const dataDir = mkdtempSync(join(tmpdir(), 'dxy-cutover-mode-check-'));
const dataDirBefore = process.env.CUTOVER_DATA_DIR;
beforeAll(() => {
  process.env.CUTOVER_DATA_DIR = dataDir;
});
afterAll(() => {
  if (dataDirBefore === undefined) delete process.env.CUTOVER_DATA_DIR;
  else process.env.CUTOVER_DATA_DIR = dataDirBefore;
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the worker-mode checks of phases 6, 7, 9 and the rollback, with the command workers', () => {
  it('fail when the status command prints no mode= line, however healthy it exits', async () => {
    const status = await commandWorkers('echo all workers up').status();
    expect(status).toMatchObject({ mode: null, healthy: true });
    for (const expected of ['legacy', 'dual', 'final'] as const) {
      const verdict = workerModeVerdict(status, expected);
      expect(verdict.passed).toBe(false);
      expect(verdict.detail).toContain(
        `the worker status command reported no mode= line; cannot prove the workers run mode ${expected}`,
      );
    }
  });

  it('fail when no status command is configured (nothing can prove the mode)', async () => {
    const verdict = workerModeVerdict(await commandWorkers(null).status(), 'dual');
    expect(verdict.passed).toBe(false);
    expect(verdict.detail).toMatch(/reported no mode= line.*no CUTOVER_WORKER_STATUS_CMD configured/);
  });

  it('fail when the status command reports another mode, and pass only on the expected one', async () => {
    const status = await commandWorkers('echo starting; echo mode=final').status();
    expect(status.mode).toBe('final');
    const wrong = workerModeVerdict(status, 'dual');
    expect(wrong).toEqual({
      passed: false,
      detail: 'the workers report mode final, expected dual (status command passed)',
    });
    expect(workerModeVerdict(status, 'final').passed).toBe(true);
  });
});
