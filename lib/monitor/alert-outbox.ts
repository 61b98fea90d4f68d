/**
 * The alert webhook's outbox (docs/operations.md, "Alerts"). An alert is a row written in the
 * transaction that decides it (a FAIL hour's snapshot, a silent legacy path), so it exists exactly
 * when its cause committed. The runner kicks delivery after its tick without waiting for it: a slow
 * or black-holed endpoint delays only the alert, never the migration. Failed posts are retried with
 * a growing backoff; each cause is posted at most once successfully (dedupe key).
 */
import type { Sql } from 'postgres';
import type { SqlOrTx } from '../db/connection';
import { claimDueAlert, insertAlert, markAlertDelivered, markAlertFailed } from '../db/tables/alert-outbox';
import { readSetting } from '../settings';

const POST_TIMEOUT_MS = 10_000;
/** A claimed row is not claimed again for this long, so a crash mid-post retries it later. */
const CLAIM_SECONDS = 120;
const MAX_BACKOFF_SECONDS = 3600;

export async function enqueueAlert(
  sql: SqlOrTx,
  params: { key: string; payload: Record<string, unknown> },
): Promise<void> {
  await insertAlert(sql, { dedupeKey: params.key, payload: params.payload });
}

/** Backoff after the n-th failed attempt: 30 s, 1 min, 2 min, … up to an hour. */
export function backoffSeconds(attempts: number): number {
  return Math.min(MAX_BACKOFF_SECONDS, 30 * 2 ** Math.max(0, attempts - 1));
}

/** Posts every due alert, one at a time, each outside any transaction. Returns how many were delivered. */
export async function deliverDueAlerts(sql: Sql, params: { url: string; timeoutMs?: number }): Promise<number> {
  let delivered = 0;
  for (;;) {
    const row = await claimDueAlert(sql, { claimSeconds: CLAIM_SECONDS });
    if (!row) return delivered;
    let error: string | null = null;
    try {
      const response = await fetch(params.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(row.payload),
        signal: AbortSignal.timeout(params.timeoutMs ?? POST_TIMEOUT_MS),
      });
      if (!response.ok) error = `HTTP ${response.status}`;
    } catch (failure) {
      error = failure instanceof Error ? failure.message : String(failure);
    }
    if (error === null) {
      await markAlertDelivered(sql, { id: row.id });
      delivered += 1;
    } else {
      await markAlertFailed(sql, { id: row.id, error, retryInSeconds: backoffSeconds(row.attempts) });
      // The endpoint is failing: leave the rest for the next kick rather than queueing behind it.
      return delivered;
    }
  }
}

const inFlight = globalThis as unknown as { cutoverAlertDelivery?: Promise<number> | null };

/** Starts delivery in the background unless one is already running in this process; never waits for it. */
export function kickAlertDelivery(sql: Sql, env: Record<string, string | undefined> = process.env): void {
  const url = readSetting('ALERT_WEBHOOK_URL', env);
  if (!url || inFlight.cutoverAlertDelivery) return;
  inFlight.cutoverAlertDelivery = deliverDueAlerts(sql, { url })
    .catch(() => 0)
    .finally(() => {
      inFlight.cutoverAlertDelivery = null;
    });
}

/** Waits for the delivery in flight, if any (tests, and a clean shutdown). */
export async function settleAlertDelivery(): Promise<void> {
  await inFlight.cutoverAlertDelivery;
}

/** Delivers everything due now, waiting for it: the in-flight delivery, then one more pass. */
export async function flushAlertDelivery(sql: Sql): Promise<void> {
  await settleAlertDelivery();
  kickAlertDelivery(sql);
  await settleAlertDelivery();
}
