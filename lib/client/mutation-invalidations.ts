/**
 * Which live queries each server action makes stale. The mutation helper
 * (components/use-console-mutation.ts) invalidates them after the action, so the change shows at once
 * instead of at the next poll — or never: a page's server-rendered `initialData` does not reseed a
 * query that already has data, so `router.refresh()` alone left the monitor showing an hour as
 * unwaived. Keys are prefixes: `queryKeys.phases` refreshes whichever phase page is open.
 */
import { queryKeys } from './console-queries';

type Keys = readonly (readonly unknown[])[];

export const invalidatedBy = {
  /** Start, pause, resume (and a fix run): the phase's runs, the overview's plan and active run. */
  phaseRun: (phase: string): Keys => [queryKeys.phase(phase), queryKeys.status],
  /** An approval starts or cancels a waiting run (phase 9, a deleting rollback, an abandon). */
  approvalDecision: (): Keys => [queryKeys.phases, queryKeys.status, queryKeys.monitor],
  /** An abandon request changes the migration run's state once approved; the request itself shows on the overview. */
  abandonRequest: (): Keys => [queryKeys.phases, queryKeys.status],
  /** A waiver changes the hour's ring, the unwaived count and phase 9's precondition. */
  hourWaiver: (): Keys => [queryKeys.monitor, queryKeys.status, queryKeys.phase('9')],
  /** The simulated workers' pause switch. */
  rehearsalWorkers: (): Keys => [queryKeys.status, queryKeys.dxyMinutesPerHour],
  /**
   * Creating or revoking a personal API token, and an admin's changes to users and invitations (and
   * one's own password): no live query shows tokens or users, so only the server-rendered pages change,
   * which the helper's `router.refresh()` redraws.
   */
  tokens: (): Keys => [],
  users: (): Keys => [],
} as const;
