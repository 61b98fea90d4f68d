/**
 * Every phase run is also written to the pipeline's own run log (job `dxy_cutover.phase_N`,
 * trigger `manual`) when that table exists — the plan forbids new logging tables. It lives in
 * production's database, read by the pipeline's people and tools: what is written there is a
 * summary ("deploy command failed (exit 3), see the runner log"), never a worker command's text or
 * output, and never a credential (docs/operations.md, "Worker control").
 */
import { redactCredentialsInText } from '../../auth/audit';
import type { SqlOrTx } from '../../db/connection';
import { opsRunlogExists } from '../../db/pipeline-tables';
import { type JsonValue, toJsonValue } from '../../json';
import { hideWorkerOutput } from '../worker-control/hide-worker-output';
import type { PhaseRunRow } from './run-state';

/** What of a value ops_runlog may hold: no worker output (whatever shape it arrives in), no connection string password. */
export function forOpsRunlog(value: unknown): JsonValue {
  const walk = (inner: JsonValue): JsonValue => {
    if (typeof inner === 'string') return redactCredentialsInText(inner);
    if (Array.isArray(inner)) return inner.map(walk);
    if (inner && typeof inner === 'object')
      return Object.fromEntries(Object.entries(inner).map(([key, item]) => [key, walk(item)]));
    return inner;
  };
  return walk(hideWorkerOutput(toJsonValue(value)));
}

export function opsRunlogJobName(phase: string): string {
  return `dxy_cutover.phase_${phase.replace('-', '_')}`;
}

export async function openOpsRunlog(
  sql: SqlOrTx,
  params: { run: PhaseRunRow; startedAt: Date },
): Promise<number | null> {
  if (!(await opsRunlogExists(sql))) return null;
  const [row] = await sql<{ id: number }[]>`
    insert into public.ops_runlog (run_id, job_name, trigger, env_name, started_at, status, checkpoints, events, stats)
    values (${params.run.runUuid}, ${opsRunlogJobName(params.run.phase)}, 'manual', 'dxy-cutover', ${params.startedAt},
            'running', '{}'::jsonb, '[]'::jsonb, ${sql.json(forOpsRunlog({ requested_by: params.run.requestedBy, options: params.run.options }))})
    returning id`;
  return row ? row.id : null;
}

export async function appendOpsRunlogEvent(
  sql: SqlOrTx,
  params: { id: number | null; at: Date; checkpoint: string; details: unknown },
): Promise<void> {
  if (params.id === null) return;
  const event = [{ ts: params.at.toISOString(), checkpoint: params.checkpoint, details: params.details }];
  await sql`update public.ops_runlog set events = events || ${sql.json(forOpsRunlog(event))} where id = ${params.id}`;
}

export async function updateOpsRunlogCheckpoint(
  sql: SqlOrTx,
  params: { id: number | null; checkpoint: Record<string, unknown> },
): Promise<void> {
  if (params.id === null) return;
  await sql`update public.ops_runlog set checkpoints = ${sql.json(forOpsRunlog(params.checkpoint))} where id = ${params.id}`;
}

export async function closeOpsRunlog(
  sql: SqlOrTx,
  params: { id: number | null; finishedAt: Date; succeeded: boolean; stats: Record<string, unknown> },
): Promise<void> {
  if (params.id === null) return;
  await sql`update public.ops_runlog
               set finished_at = ${params.finishedAt}, status = ${params.succeeded ? 'success' : 'failed'},
                   stats = stats || ${sql.json(forOpsRunlog(params.stats))}
             where id = ${params.id}`;
}
