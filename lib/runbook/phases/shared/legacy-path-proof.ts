/**
 * The last proof of a rollback — "the legacy path writes new DXY minutes again, and DXY 5m bars
 * are aggregated from them again" — needs an open market. A rollback run on a closed market
 * finishes its data steps (verified) and records this proof as pending, with the time data is
 * expected. The runner checks pending proofs every tick: new legacy minutes and a DXY 5m bar
 * aggregated from them after the open prove it; silence for longer than CUTOVER_DEPLOYMENT_PROOF_MINUTES
 * open-market minutes of data (up to the data frontier: a component held back at the open is late
 * data; the aggregator judged on a run, ./five-minute-aggregator.ts) marks it silent, posts to
 * ALERT_WEBHOOK_URL once (like a FAIL hour) and shows a banner on every page.
 */
import type { Sql } from 'postgres';
import type { SqlOrTx } from '../../../db/connection';
import { insertPhaseRunEvent } from '../../../db/tables/phase-run-events';
import { frontierLateMinutes, readDataFrontier } from '../../../market/data-frontier';
import { countOpenMinutes, floorToMinute, isFxOpen } from '../../../market/market-hours';
import { enqueueAlert, kickAlertDelivery } from '../../../monitor/alert-outbox';
import { defaultMaxSettleMinutes } from '../../../monitor/monitor-window';
import { MINUTE_MS } from '../../../time-units';
import { readAndJudgeFiveMinuteAggregator } from './five-minute-aggregator';
import { latestOpenLegacyPathProof, listOpenLegacyPathProofs, storeLegacyPathProof } from './legacy-path-proof-rows';

export type LegacyPathProof =
  | {
      state: 'proven';
      switchedAt: string;
      provenAt: string;
      minutes: number;
      /** DXY 5m bars of windows after the switch, aggregated from legacy minutes (absent in older proofs). */
      fiveMinuteBars?: number;
      expectedFrom?: string;
    }
  | {
      state: 'pending';
      switchedAt: string;
      expectedFrom: string;
      /** When the check first found the allowance of data spent with legacy minutes there (./five-minute-aggregator.ts). */
      allowanceSpentAt?: string;
    }
  | { state: 'silent'; switchedAt: string; expectedFrom: string; silentSince: string; alertedAt: string | null };

/** The first open minute at or after `at` (FX opens Sunday 17:00 New York time, after holidays: lib/market/market-hours.ts). */
export function nextFxOpen(at: Date): Date {
  let t = floorToMinute(at).getTime();
  if (t < at.getTime()) t += MINUTE_MS;
  for (let i = 0; i < 8 * 24 * 60 && !isFxOpen(new Date(t)); i++) t += MINUTE_MS;
  return new Date(t);
}

async function countLegacyMinutesFrom(sql: Sql, since: Date): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from public.derived_data_bars
     where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null and source = 'dxy'
       and ts_utc >= ${since} and (raw->>'backfilled_from') is null`;
  return row?.n ?? 0;
}

const FIVE_MINUTES_MS = 5 * MINUTE_MS;

export interface LegacyFiveMinuteEvidence {
  bars: number;
  first: Date | null;
}

/**
 * DXY 5m bars (active, in derived_data_bars) of windows that start at or after `since` and hold
 * legacy minutes written by the legacy writer itself: what the restored path — legacy 1m rows
 * aggregated by the restored aggregator — produces. A bar from before the switch, or one over
 * back-filled minutes only, proves nothing about the path running now.
 */
export async function countLegacyFiveMinuteBarsSince(sql: SqlOrTx, since: Date): Promise<LegacyFiveMinuteEvidence> {
  const firstWindow = new Date(Math.ceil(since.getTime() / FIVE_MINUTES_MS) * FIVE_MINUTES_MS);
  const [row] = await sql<{ n: number; first: Date | null }[]>`
    select count(*)::int as n, min(b.ts_utc) as first from public.derived_data_bars b
     where b.canonical_symbol = 'DXY' and b.timeframe = '5m' and b.deleted_at is null and b.ts_utc >= ${firstWindow}
       and exists (select 1 from public.derived_data_bars m
                    where m.canonical_symbol = 'DXY' and m.timeframe = '1m' and m.deleted_at is null and m.source = 'dxy'
                      and (m.raw->>'backfilled_from') is null
                      and m.ts_utc >= b.ts_utc and m.ts_utc < b.ts_utc + interval '5 minutes')`;
  return { bars: row?.n ?? 0, first: row?.first ?? null };
}

async function storeProof(
  sql: Sql,
  id: number,
  proof: LegacyPathProof,
  message: string,
  level: 'info' | 'error',
  alert?: { key: string; payload: Record<string, unknown> },
) {
  await sql.begin(async (tx) => {
    if (alert) await enqueueAlert(tx, alert);
    await storeLegacyPathProof(tx, { id, proof });
    await insertPhaseRunEvent(tx, { phaseRunId: id, level, message });
  });
}

/**
 * The runner's check of every rollback whose legacy-path proof is pending or silent: legacy minutes
 * since the expected time prove it (a silent one too, which clears the banner); otherwise a silent
 * path is alerted once.
 */
export async function checkPendingLegacyPathProofs(
  sql: Sql,
  params: { now: Date; proofMinutes: number },
): Promise<void> {
  const open = await listOpenLegacyPathProofs(sql);
  // The rollback phase (its result) and storeProof are the only writers of a proof: it has this shape.
  for (const { id, proof } of open as { id: number; proof: LegacyPathProof }[]) {
    const expectedFrom = new Date(proof.expectedFrom as string);
    if (params.now < expectedFrom) continue;
    const written = await countLegacyMinutesFrom(sql, expectedFrom);
    const fiveMinute = await countLegacyFiveMinuteBarsSince(sql, expectedFrom);
    if (written > 0 && fiveMinute.bars > 0) {
      await storeProof(
        sql,
        id,
        {
          state: 'proven',
          switchedAt: proof.switchedAt,
          expectedFrom: expectedFrom.toISOString(),
          provenAt: params.now.toISOString(),
          minutes: written,
          fiveMinuteBars: fiveMinute.bars,
        },
        `Legacy path proven after the open: ${written} legacy DXY minutes and ${fiveMinute.bars} DXY 5m bars aggregated from them since ${expectedFrom.toISOString()}.`,
        'info',
      );
      continue;
    }
    if (proof.state === 'pending') {
      const through = await judgedThrough(sql, { expectedFrom, now: params.now });
      if (countOpenMinutes(expectedFrom, through) <= params.proofMinutes) continue;
      if (written > 0) {
        // Legacy minutes without a DXY 5m bar: the aggregator is judged on a run after the allowance was found spent.
        const spentAt = proof.allowanceSpentAt ? new Date(proof.allowanceSpentAt) : null;
        const verdict = await readAndJudgeFiveMinuteAggregator(sql, {
          spentAt,
          now: params.now,
          allowanceMinutes: params.proofMinutes,
        });
        if (!verdict.silent) {
          if (!spentAt)
            await storeLegacyPathProof(sql, { id, proof: { ...proof, allowanceSpentAt: params.now.toISOString() } });
          continue;
        }
      }
    }
    const silent: LegacyPathProof & { state: 'silent' } = {
      state: 'silent',
      switchedAt: proof.switchedAt,
      expectedFrom: expectedFrom.toISOString(),
      silentSince: proof.state === 'silent' ? proof.silentSince : params.now.toISOString(),
      alertedAt: null,
    };
    if (proof.state === 'silent' && proof.alertedAt) continue;
    // The alert is written with the proof's new state and posted by the outbox after commit.
    silent.alertedAt = params.now.toISOString();
    await storeProof(
      sql,
      id,
      silent,
      `The legacy path is not producing DXY: ${written} legacy minutes and ${fiveMinute.bars} DXY 5m bars aggregated from them in the ${params.proofMinutes} open-market minutes after ${expectedFrom.toISOString()} (alert queued).`,
      'error',
      {
        key: `legacy-path-silent:${id}`,
        payload: {
          source: 'dxy-cutover',
          severity: 'critical',
          rollback_run: id,
          expected_from: silent.expectedFrom,
          summary: `DXY rollback: the legacy path is not producing DXY (${written} minutes, ${fiveMinute.bars} 5m bars) after the market opened at ${silent.expectedFrom}`,
        },
      },
    );
    kickAlertDelivery(sql);
  }
}

/**
 * How far the data reaches for judging the legacy path after the open: the data frontier while some component has
 * reported since (one the provider holds back is late data, not a silent path: the legacy writer cannot derive a
 * minute without it), but the clock when none has (the ingest itself is down, which silences the legacy path too) or
 * when the frontier trails the clock by more than CUTOVER_MONITOR_SETTLE_MAX_MINUTES.
 */
async function judgedThrough(sql: Sql, params: { expectedFrom: Date; now: Date }): Promise<Date> {
  const frontier = await readDataFrontier(sql, { now: params.now });
  const anyReported = frontier.perSymbol.some((s) => s.latest !== null && s.latest >= params.expectedFrom);
  if (!anyReported || frontierLateMinutes(frontier.through, params.now) > defaultMaxSettleMinutes()) return params.now;
  return frontier.through;
}

export interface LegacyPathNotice {
  runId: number;
  state: 'pending' | 'silent';
  expectedFrom: Date;
}

/** For the banner on every page: the latest rollback whose legacy-path proof is still pending or failed. */
export async function readLegacyPathNotice(sql: Sql): Promise<LegacyPathNotice | null> {
  const open = await latestOpenLegacyPathProof(sql);
  return open ? { runId: open.id, state: open.state, expectedFrom: new Date(open.expectedFrom) } : null;
}
