/**
 * cutover.alert_outbox: alerts waiting to be posted to the webhook. When to post, retry and back
 * off lives in lib/monitor/alert-outbox.ts.
 */
import { toJsonValue } from '../../json';
import type { SqlOrTx } from '../connection';
import { alertOutbox } from '../console-schema';
import { columnsOf, rowOf } from './rows';

export type OutboxAlert = typeof alertOutbox.$inferSelect;

/** Adds an alert unless one with the same key exists (each cause is alerted once). */
export async function insertAlert(sql: SqlOrTx, params: { dedupeKey: string; payload: object }): Promise<void> {
  await sql`insert into cutover.alert_outbox (dedupe_key, payload)
            values (${params.dedupeKey}, ${sql.json(toJsonValue(params.payload))})
            on conflict (dedupe_key) do nothing`;
}

/**
 * Claims the oldest undelivered alert that is due: counts the attempt and moves its next attempt
 * `claimSeconds` ahead, so no other process posts it meanwhile and a crash mid-post retries it.
 */
export async function claimDueAlert(sql: SqlOrTx, params: { claimSeconds: number }): Promise<OutboxAlert | null> {
  const [row] = await sql`
    update cutover.alert_outbox set attempts = attempts + 1,
           next_attempt_at = now() + make_interval(secs => ${params.claimSeconds})
     where id = (select id from cutover.alert_outbox where delivered_at is null and next_attempt_at <= now()
                  order by id limit 1 for update skip locked)
    returning ${columnsOf(sql, alertOutbox)}`;
  return row ? rowOf(alertOutbox, row) : null;
}

export async function markAlertDelivered(sql: SqlOrTx, params: { id: number }): Promise<void> {
  await sql`update cutover.alert_outbox set delivered_at = now(), last_error = null where id = ${params.id}`;
}

export async function markAlertFailed(
  sql: SqlOrTx,
  params: { id: number; error: string; retryInSeconds: number },
): Promise<void> {
  await sql`update cutover.alert_outbox set last_error = ${params.error},
                   next_attempt_at = now() + make_interval(secs => ${params.retryInSeconds})
             where id = ${params.id}`;
}
