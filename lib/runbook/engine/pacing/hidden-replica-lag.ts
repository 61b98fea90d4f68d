/**
 * Replicas whose lag the console cannot see (docs/operations.md "Pacing"). A role without
 * pg_read_all_stats reads pg_stat_replication's rows with their state and lags null, so the pacing
 * would find "no lag" and never wait for a replica that falls behind. That is said, not assumed:
 * by validate (a finding) and once in the log of each batched phase run (./pace-next-batch.ts).
 */
import type { DatabaseSignals } from './read-database-signals';

export function hiddenReplicaLag(replication: DatabaseSignals['replication']): string | null {
  const { replicas, hidden } = replication;
  if (hidden === 0) return null;
  const which =
    hidden === replicas ? `${replicas} replica${replicas === 1 ? '' : 's'}` : `${hidden} of ${replicas} replicas`;
  return (
    `the lag of ${which} in pg_stat_replication is hidden from the console’s role (it needs pg_read_all_stats): ` +
    'the batched phases cannot wait for those replicas to catch up. GRANT pg_read_all_stats to the console’s role, ' +
    'or watch the replicas’ lag by hand while phases 2, 4, 9 and a rollback run'
  );
}
