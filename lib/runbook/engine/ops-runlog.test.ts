import { describe, expect, it } from 'vitest';
import { forOpsRunlog } from './ops-runlog';

describe('what ops_runlog may hold', () => {
  it('no worker output in any shape and no connection-string password, the rest as it was', () => {
    const details = {
      message: 'Deployed workers in mode dual.',
      // A full output object, as earlier versions put into events.
      output: { command: 'deploy --context cluster-9', exitCode: 0, stdout: 'rolled out to cluster-9', stderr: '' },
      summary: {
        kind: 'deploy',
        exitCode: 0,
        timedOut: false,
        durationMs: 5,
        outputRef: 'wo-20261207T101500Z-abcdefabcdef',
      },
      note: 'retry with postgres://deploy:pw-very-secret@db.internal/market',
      error: 'Worker command failed (exit 3): deploy --context cluster-9\npermission denied',
      verification_passed: true,
      at: new Date('2026-12-07T10:15:00Z'),
    };
    const stored = forOpsRunlog(details);
    const text = JSON.stringify(stored);
    expect(text).not.toContain('cluster-9');
    expect(text).not.toContain('pw-very-secret');
    expect(stored).toEqual({
      message: 'Deployed workers in mode dual.',
      output: {
        exitCode: 0,
        timedOut: false,
        durationMs: null,
        hidden: 'command line and output: admins only, see the runner log',
      },
      summary: details.summary,
      note: 'retry with postgres://deploy:***@db.internal/market',
      error: 'worker command failed (exit 3), see the runner log',
      verification_passed: true,
      at: '2026-12-07T10:15:00.000Z',
    });
  });
});
