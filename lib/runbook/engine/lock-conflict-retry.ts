/**
 * A DDL step on a table the live workers write (phase 9's fence trigger on derived_data_bars)
 * waits at most the DDL lock timeout, so it never queues the workers behind it for long; when a
 * writer's lock crosses it (lock timeout, deadlock) the step — rolled back whole — is tried again
 * a few times before the phase fails (docs/phases.md "Phase 9").
 */
import type { PhaseContext } from './types';

/** deadlock_detected, lock_not_available. */
const LOCK_CONFLICTS = new Set(['40P01', '55P03']);
export const LOCK_CONFLICT_ATTEMPTS = 5;

export function isLockConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && LOCK_CONFLICTS.has(code);
}

export async function retryOnLockConflict<T>(
  ctx: Pick<PhaseContext, 'log'>,
  what: string,
  step: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (!isLockConflict(error) || attempt >= LOCK_CONFLICT_ATTEMPTS) throw error;
      await ctx.log(
        `${what}: a live writer's lock crossed it (${(error as Error).message}); rolled back, trying again ` +
          `(attempt ${attempt + 1} of ${LOCK_CONFLICT_ATTEMPTS}).`,
        { attempt, code: (error as { code?: string }).code },
        'warn',
      );
    }
  }
}
