/**
 * A replication connection to the test server: the server starts a walsender for it, which
 * pg_stat_replication lists (state 'startup') as it would a replica — how the pacing's replica
 * signals are tested without a second server. It speaks only the simple query protocol.
 */
import postgres from 'postgres';

export async function openWalsender(url: string): Promise<postgres.Sql> {
  const walsender = postgres(url, {
    max: 1,
    fetch_types: false,
    onnotice: () => {},
    connection: { replication: 'database' } as Record<string, string>,
  });
  await walsender.unsafe('IDENTIFY_SYSTEM').simple();
  return walsender;
}
