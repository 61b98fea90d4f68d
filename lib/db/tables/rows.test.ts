import { describe, expect, it } from 'vitest';
import { monitorSnapshots, phaseRuns } from '../console-schema';
import { rowOf } from './rows';

describe('rows of the console tables', () => {
  it('come back with the schema inferred types whichever client read them', () => {
    // As a client without our parsers returns them: bigint and timestamptz as strings (the drizzle pool's
    // timestamps are strings; lib/db/number-types.ts makes its bigints numbers, but the mapping must not care).
    const raw = {
      id: '42',
      run_uuid: '7c7f0a54-7f41-4c1e-9d59-0f4a2f0d9f00',
      migration_run_id: 3,
      phase: '4',
      status: 'running',
      options: {},
      requested_by: 'operator',
      requested_at: '2026-11-25 10:00:00+00',
      started_at: null,
      finished_at: null,
      clock_started_at: null,
      clock_finished_at: null,
      lease_owner: null,
      lease_expires_at: null,
      heartbeat_at: null,
      pause_requested: false,
      attempt: 1,
      checkpoint: { batch: 2 },
      progress: {},
      result: {},
      verification: null,
      error: null,
      ops_runlog_id: '9007199254740',
    };
    const run = rowOf(phaseRuns, raw);
    expect(run.id).toBe(42);
    expect(run.migrationRunId).toBe(3);
    expect(run.requestedAt).toEqual(new Date('2026-11-25T10:00:00Z'));
    expect(run.checkpoint).toEqual({ batch: 2 });
    expect(run.opsRunlogId).toBe(9007199254740);
    expect(run.startedAt).toBeNull();
  });

  it('keep what the raw pool already parsed (dates, jsonb) as it is', () => {
    const takenAt = new Date('2026-11-25T11:07:00Z');
    const checks = [{ key: 'parity', verdict: 'PASS' }];
    const snapshot = rowOf(monitorSnapshots, {
      id: 1,
      migration_run_id: 3,
      hour_index: 0,
      hour_start: new Date('2026-11-25T10:00:00Z'),
      taken_at: takenAt,
      late: false,
      verdict: 'PASS',
      checks,
      alerted_at: null,
      waived_by: null,
      waiver_reason: null,
    });
    expect(snapshot.takenAt).toBe(takenAt);
    expect(snapshot.checks).toBe(checks);
    expect(snapshot.hourIndex).toBe(0);
    expect(snapshot.waivedBy).toBeNull();
  });
});
