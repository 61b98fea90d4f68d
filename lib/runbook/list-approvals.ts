/**
 * The approvals page's and the CLI's list of requests: the table's rows as they are (the query
 * lives in lib/db/tables/approvals.ts).
 */
import type { Approval } from '../db/tables/approvals';

/** The name the browser's wire types know a request by (lib/client may not import lib/db). */
export type ApprovalRow = Approval;

export { listApprovals } from '../db/tables/approvals';
