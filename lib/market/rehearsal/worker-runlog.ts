/** The simulated workers' rows in public.ops_runlog, written like the real workers write theirs. */
import { randomUUID } from 'node:crypto';
import type { TransactionSql } from 'postgres';
import { toJsonValue } from '../../json';

export async function writeRunlog(
  tx: TransactionSql,
  params: { job: string; startedAt: Date; failure: string | null; stats: Record<string, unknown> },
): Promise<void> {
  const events = params.failure ? [{ ts: params.startedAt, checkpoint: 'error', details: params.failure }] : [];
  await tx`insert into public.ops_runlog (run_id, job_name, trigger, env_name, started_at, finished_at, status, events, stats)
           values (${randomUUID()}, ${params.job}, 'cron', 'rehearsal', ${params.startedAt}, ${params.startedAt},
                   ${params.failure ? 'failed' : 'success'}, ${tx.json(events)}, ${tx.json(toJsonValue(params.stats))})`;
}
