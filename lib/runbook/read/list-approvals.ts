/**
 * The approvals page's and the CLI's list of requests: the table's rows (the query lives in
 * lib/db/tables/approvals.ts) with who created each of the two accounts and when — as recorded
 * with the decision, or, for a request still pending, as the accounts stand now.
 */
import { type AccountOrigin, readAccountOrigin } from '../../auth/account-origin';
import type { SqlOrTx } from '../../db/connection';
import { type Approval, listApprovals as listApprovalRows } from '../../db/tables/approvals';

/** The name the browser's wire types know a request by (lib/client may not import lib/db). */
export type ApprovalRow = Approval & {
  requesterOrigin: AccountOrigin | null;
  deciderOrigin: AccountOrigin | null;
};

export async function listApprovals(sql: SqlOrTx, params: { limit?: number } = {}): Promise<ApprovalRow[]> {
  const rows = await listApprovalRows(sql, params);
  // A handful of people decide hundreds of requests: each account is read once.
  const origins = new Map<string, AccountOrigin | null>();
  const originOf = async (username: string) => {
    if (!origins.has(username)) origins.set(username, await readAccountOrigin(sql, username));
    return origins.get(username) ?? null;
  };
  const listed: ApprovalRow[] = [];
  for (const row of rows) {
    listed.push({
      ...row,
      requesterOrigin: (row.requesterAccount as AccountOrigin | null) ?? (await originOf(row.requestedBy)),
      deciderOrigin:
        (row.deciderAccount as AccountOrigin | null) ?? (row.decidedBy ? await originOf(row.decidedBy) : null),
    });
  }
  return listed;
}
