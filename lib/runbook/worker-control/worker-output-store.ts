/**
 * The runner log of worker commands: each command's redacted command line and output in a file of its
 * own under `<CUTOVER_DATA_DIR>/runner-log/` (owner-only), named by an opaque reference. The database,
 * the phase log, the report and production's ops_runlog hold only the reference (docs/operations.md,
 * "Worker control"); the admins' read path opens the file when it is on the same host.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readSetting } from '../../settings';
import type { CapturedWorkerOutput, WorkerCommandKind, WorkerCommandText } from './captured-output';

const REF = /^wo-\d{8}T\d{6}Z-[0-9a-f]{12}$/;

export function workerOutputDirectory(env: Record<string, string | undefined> = process.env): string {
  return resolve(readSetting('CUTOVER_DATA_DIR', env), 'runner-log');
}

export function isWorkerOutputRef(value: unknown): value is string {
  return typeof value === 'string' && REF.test(value);
}

export interface StoredWorkerOutput extends WorkerCommandText {
  ref: string;
  kind: WorkerCommandKind;
  at: string;
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
}

/** Keeps the output in the runner log; returns its reference, or null when the directory is not writable. */
export function saveWorkerOutput(
  kind: WorkerCommandKind,
  output: CapturedWorkerOutput,
  options: { directory?: string; at?: Date } = {},
): string | null {
  const at = options.at ?? new Date();
  const ref = `wo-${at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')}-${randomBytes(6).toString('hex')}`;
  const stored: StoredWorkerOutput = {
    ref,
    kind,
    at: at.toISOString(),
    exitCode: output.exitCode,
    timedOut: output.timedOut,
    durationMs: output.durationMs,
    ...output.reveal(),
  };
  try {
    const directory = options.directory ?? workerOutputDirectory();
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    chmodSync(directory, 0o700);
    writeFileSync(join(directory, `${ref}.json`), JSON.stringify(stored, null, 1), { mode: 0o600, flag: 'wx' });
    return ref;
  } catch {
    // The deployment's outcome matters more than its transcript: the summary still says how it ended.
    return null;
  }
}

/** The runner log's entry for `ref` (null when the reference is malformed or the file is not on this host). */
export function readWorkerOutput(ref: unknown, options: { directory?: string } = {}): StoredWorkerOutput | null {
  if (!isWorkerOutputRef(ref)) return null;
  const file = join(options.directory ?? workerOutputDirectory(), `${ref}.json`);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StoredWorkerOutput;
  } catch {
    return null;
  }
}
