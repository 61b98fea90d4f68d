import type { Sql } from 'postgres';

export interface ApprovalRow {
  id: number;
  kind: string;
  phaseRunId: number;
  requestedBy: string;
  requestedAt: Date;
  summary: string;
  status: 'pending' | 'approved' | 'rejected';
  decidedBy: string | null;
  decidedAt: Date | null;
  reason: string | null;
}

export async function listApprovals(sql: Sql, params: { limit?: number } = {}): Promise<ApprovalRow[]> {
  return sql<ApprovalRow[]>`
    select id, kind, phase_run_id::float8 as "phaseRunId", requested_by as "requestedBy", requested_at as "requestedAt",
           summary, status, decided_by as "decidedBy", decided_at as "decidedAt", reason
      from cutover.approvals order by (status = 'pending') desc, id desc limit ${params.limit ?? 100}`;
}
