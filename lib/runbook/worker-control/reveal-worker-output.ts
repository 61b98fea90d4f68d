/**
 * The admins' read path to worker command output: every summary that names a runner-log entry
 * (`outputRef`) gets the entry's redacted command line and output attached as `runnerLog`, read from
 * this host's runner log (./worker-output-store.ts). Call it only after canSeeWorkerOutput.
 */
import { isWorkerOutputRef, readWorkerOutput } from './worker-output-store';

export function revealWorkerOutput<T>(value: T, options: { directory?: string } = {}): T {
  const walk = (inner: unknown, depth: number): unknown => {
    if (depth > 20 || inner === null || typeof inner !== 'object' || inner instanceof Date) return inner;
    if (Array.isArray(inner)) return inner.map((item) => walk(item, depth + 1));
    const entries = Object.fromEntries(Object.entries(inner).map(([key, item]) => [key, walk(item, depth + 1)]));
    if ('outputRef' in inner && isWorkerOutputRef(inner.outputRef)) {
      const stored = readWorkerOutput(inner.outputRef, options);
      entries.runnerLog = stored
        ? { command: stored.command, stdout: stored.stdout, stderr: stored.stderr }
        : `${inner.outputRef} is not in this host's runner log (the runner that ran it keeps it)`;
    }
    return entries;
  };
  return walk(value, 0) as T;
}
