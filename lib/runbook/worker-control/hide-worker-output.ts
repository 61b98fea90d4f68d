/**
 * Worker command text and output (command line, stdout, stderr — redacted, but still deployment detail)
 * are for admins only; everyone else sees that a command ran and how it ended. Since the output moved
 * to the runner log (./worker-output-store.ts) nothing new carries the text; this still reduces full
 * output objects stored by earlier versions wherever a non-admin surface reads stored data.
 */
import type { Role } from '../../auth/roles';

export const WORKER_OUTPUT_ROLES: readonly Role[] = ['admin'];

export function canSeeWorkerOutput(roles: readonly Role[]): boolean {
  return roles.some((role) => WORKER_OUTPUT_ROLES.includes(role));
}

function isWorkerOutput(value: object): value is { exitCode: unknown; timedOut?: unknown; durationMs?: unknown } {
  return 'exitCode' in value && ('command' in value || 'stdout' in value || 'stderr' in value);
}

/** An error text of earlier versions: the command line and stderr followed the exit code. */
const LEGACY_ERROR = /Worker command (failed \(exit (?:\d+|null)\)|timed out after [\d.]+ s): [\s\S]*$/;

/**
 * A copy with every captured command output reduced to its exit code and duration, and every error
 * text of earlier versions cut before the command line.
 */
export function hideWorkerOutput<T>(value: T): T {
  const walk = (inner: unknown, depth: number): unknown => {
    if (typeof inner === 'string')
      return inner.replace(LEGACY_ERROR, (_, ending: string) => `worker command ${ending}, see the runner log`);
    if (depth > 20 || inner === null || typeof inner !== 'object' || inner instanceof Date) return inner;
    if (Array.isArray(inner)) return inner.map((item) => walk(item, depth + 1));
    if (isWorkerOutput(inner)) {
      return {
        exitCode: inner.exitCode,
        timedOut: inner.timedOut ?? false,
        durationMs: inner.durationMs ?? null,
        hidden: 'command line and output: admins only, see the runner log',
      };
    }
    return Object.fromEntries(Object.entries(inner).map(([key, item]) => [key, walk(item, depth + 1)]));
  };
  return walk(value, 0) as T;
}
