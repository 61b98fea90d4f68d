/**
 * Approvals bound to what was approved (docs/phases.md, "Approvals"). A run that needs an approval
 * records, at request, a fingerprint of what shapes it: the exact SQL its preview showed and the
 * settings of the process that previewed it — worker commands, the aggregator source, batch sizes.
 * The approval is refused, and a runner refuses to execute it, when the fingerprint computed there
 * differs (a runner started with other settings, a changed aggregator file), naming what changed;
 * values themselves are never stored, only their hashes, since commands may carry secrets. An
 * approval also expires (CUTOVER_APPROVAL_TTL_MINUTES, counted from the request) before a runner claims the run.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { SqlOrTx } from '../../db/connection';
import { type Approval, latestApproved } from '../../db/tables/approvals';
import type { Preview } from './types';

/** Settings that change what an approved run does. */
export const BOUND_SETTINGS = [
  'CUTOVER_WORKER_DEPLOY_CMD',
  'CUTOVER_WORKER_RESTART_CMD',
  'CUTOVER_WORKER_STATUS_CMD',
  'CUTOVER_WORKER_TIMEOUT_SECONDS',
  'CUTOVER_WORKER_ENV',
  'CUTOVER_WORKER_ROLE',
  'CUTOVER_AGGREGATOR_5M_SQL_FILE',
  'CUTOVER_SOFT_DELETE_BATCH_ROWS',
  'CUTOVER_COPY_BATCH_ROWS',
  'CUTOVER_BATCH_STATEMENT_TIMEOUT_MS',
  'CUTOVER_DEPLOYMENT_PROOF_MINUTES',
  'CUTOVER_WINDOW_MIN_OPEN_HOURS',
] as const;

export interface ApprovalBinding {
  hash: string;
  /** Per part, the hash of its value: what changed can be named without storing the value. */
  parts: Record<string, string>;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function computeApprovalBinding(params: {
  phaseId: string;
  options: Record<string, unknown>;
  preview: Preview;
  env?: Record<string, string | undefined>;
}): ApprovalBinding {
  const env = params.env ?? process.env;
  const parts: Record<string, string> = {
    phase: sha256(params.phaseId),
    'phase options': sha256(
      JSON.stringify({ data: params.options.data ?? null, method: params.options.method ?? null }),
    ),
    'previewed SQL': sha256(params.preview.sql.join('\n;\n')),
  };
  for (const name of BOUND_SETTINGS) parts[name] = sha256(env[name] ?? '');
  const file = env.CUTOVER_AGGREGATOR_5M_SQL_FILE;
  if (file) parts['aggregator file content'] = sha256(existsSync(file) ? readFileSync(file, 'utf8') : '<missing>');
  const hash = sha256(JSON.stringify(Object.entries(parts).sort(([a], [b]) => a.localeCompare(b))));
  return { hash, parts };
}

/** The names of the parts that differ (added, removed or changed). */
export function bindingDifferences(approved: ApprovalBinding, now: ApprovalBinding): string[] {
  if (approved.hash === now.hash) return [];
  const names = new Set([...Object.keys(approved.parts), ...Object.keys(now.parts)]);
  return [...names].filter((name) => approved.parts[name] !== now.parts[name]).sort();
}

/** The approval of a run, when it has one: its age since the request, for the expiry. */
export async function readApproval(
  sql: SqlOrTx,
  params: { phaseRunId: number },
): Promise<(Pick<Approval, 'id' | 'decidedAt'> & { ageMinutes: number | null }) | null> {
  const found = await latestApproved(sql, params);
  return found && { id: found.approval.id, decidedAt: found.approval.decidedAt, ageMinutes: found.ageMinutes };
}
