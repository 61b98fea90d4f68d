import { describe, expect, it } from 'vitest';
import { hiddenReplicaLag } from './hidden-replica-lag';

describe('hiddenReplicaLag', () => {
  it('says nothing without replicas, or when every replica’s lag is readable', () => {
    expect(hiddenReplicaLag({ replicas: 0, hidden: 0, maxLagS: null })).toBeNull();
    expect(hiddenReplicaLag({ replicas: 2, hidden: 0, maxLagS: 0.4 })).toBeNull();
  });

  it('names the replicas whose lag is hidden and what to grant', () => {
    expect(hiddenReplicaLag({ replicas: 1, hidden: 1, maxLagS: null })).toMatch(
      /^the lag of 1 replica in pg_stat_replication is hidden from the console’s role \(it needs pg_read_all_stats\): the batched phases cannot wait/,
    );
    expect(hiddenReplicaLag({ replicas: 3, hidden: 2, maxLagS: 1 })).toContain('the lag of 2 of 3 replicas');
    expect(hiddenReplicaLag({ replicas: 2, hidden: 2, maxLagS: null })).toContain('GRANT pg_read_all_stats');
  });
});
