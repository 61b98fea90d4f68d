/**
 * Worker command output (command line, stdout, stderr — redacted, but still deployment detail) is
 * for operators and approvers; viewers see that a command ran and how it ended.
 */
import type { Role } from '../../auth/roles';

export const WORKER_OUTPUT_ROLES: readonly Role[] = ['operator', 'approver'];

export function canSeeWorkerOutput(roles: readonly Role[]): boolean {
  return roles.some((role) => WORKER_OUTPUT_ROLES.includes(role));
}

function isWorkerOutput(value: object): value is { exitCode: unknown; timedOut?: unknown; durationMs?: unknown } {
  return 'command' in value && 'stdout' in value && 'stderr' in value && 'exitCode' in value;
}

/** A copy with every captured command output reduced to its exit code and duration. */
export function hideWorkerOutput<T>(value: T): T {
  const walk = (inner: unknown, depth: number): unknown => {
    if (depth > 20 || inner === null || typeof inner !== 'object' || inner instanceof Date) return inner;
    if (Array.isArray(inner)) return inner.map((item) => walk(item, depth + 1));
    if (isWorkerOutput(inner)) {
      return {
        exitCode: inner.exitCode,
        timedOut: inner.timedOut ?? false,
        durationMs: inner.durationMs ?? null,
        hidden: 'command line and output: operators and approvers only',
      };
    }
    return Object.fromEntries(Object.entries(inner).map(([key, item]) => [key, walk(item, depth + 1)]));
  };
  return walk(value, 0) as T;
}
