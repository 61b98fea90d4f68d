import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CapturedWorkerOutput } from './captured-output';
import { revealWorkerOutput } from './reveal-worker-output';
import { readWorkerOutput, saveWorkerOutput } from './worker-output-store';

const directory = mkdtempSync(join(tmpdir(), 'dxy-cutover-runner-log-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const captured = new CapturedWorkerOutput(
  { command: 'deploy --context cluster-9', stdout: 'rolled out', stderr: 'warning: slow' },
  { exitCode: 0, timedOut: false, durationMs: 1200 },
);

describe('the runner log of worker commands', () => {
  it('keeps each command in an owner-only file named by an opaque reference', () => {
    const ref = saveWorkerOutput('deploy', captured, { directory, at: new Date('2026-12-07T10:15:00Z') });
    expect(ref).toMatch(/^wo-20261207T101500Z-[0-9a-f]{12}$/);
    expect(statSync(directory).mode & 0o777).toBe(0o700);
    expect(statSync(join(directory, `${ref}.json`)).mode & 0o777).toBe(0o600);
    expect(readWorkerOutput(ref, { directory })).toMatchObject({
      kind: 'deploy',
      exitCode: 0,
      command: 'deploy --context cluster-9',
      stdout: 'rolled out',
      stderr: 'warning: slow',
    });
  });

  it('opens nothing but its own entries: a reference is never a path', () => {
    writeFileSync(join(directory, 'elsewhere.json'), JSON.stringify({ command: 'not a runner-log entry' }));
    for (const ref of ['../elsewhere', 'elsewhere', `wo-20261207T101500Z-${'0'.repeat(12)}/../../elsewhere`, 42, null])
      expect(readWorkerOutput(ref, { directory })).toBeNull();
  });

  it('answers null when the directory cannot be written, so the command’s outcome still counts', () => {
    const file = join(directory, 'a-file');
    writeFileSync(file, '');
    expect(saveWorkerOutput('restart', captured, { directory: join(file, 'below') })).toBeNull();
  });

  it('is attached for admins by reference, and says so when the entry is on another host', () => {
    const ref = saveWorkerOutput('deploy', captured, { directory });
    const missing = 'wo-20261207T101500Z-abcdefabcdef';
    const live = {
      events: [{ data: { output: { exitCode: 0, outputRef: ref } } }, { data: { output: { outputRef: missing } } }],
    };
    const revealed = revealWorkerOutput(live, { directory });
    expect(revealed.events[0]?.data.output).toMatchObject({
      runnerLog: { command: 'deploy --context cluster-9', stdout: 'rolled out', stderr: 'warning: slow' },
    });
    expect(revealed.events[1]?.data.output).toMatchObject({
      runnerLog: `${missing} is not in this host's runner log (the runner that ran it keeps it)`,
    });
    expect(JSON.stringify(live)).not.toContain('cluster-9');
  });
});
