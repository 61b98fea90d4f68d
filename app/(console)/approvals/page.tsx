import type { Metadata } from 'next';
import { ApprovalCard } from '@/components/approval-card';
import { StatusBadge } from '@/components/status-badge';
import { ViewerReadRefused } from '@/components/viewer-read-refused';
import { describeAccountOrigin } from '@/lib/auth/account-origin';
import { requireUser } from '@/lib/auth/current-user';
import { readForViewer } from '@/lib/db/read-refusal';
import { formatUtc } from '@/lib/format';
import { toJson } from '@/lib/json';
import { confirmationWordOf } from '@/lib/runbook/actions/decide-approval';
import { runbookConfigFromEnv } from '@/lib/runbook/engine/config';
import { listApprovals } from '@/lib/runbook/read/list-approvals';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Approvals' };

export default async function ApprovalsPage() {
  const user = await requireUser();
  // A viewer's read: the read pool, behind the viewer read limit (lib/db/read-limit.ts).
  const read = await readForViewer(({ sql }) => listApprovals(sql));
  if (!read.ok) return <ViewerReadRefused title="Approvals" message={read.message} />;
  const approvals = read.value;
  // A request expires CUTOVER_APPROVAL_TTL_MINUTES after it was made; the approval action refuses it then.
  const ttlMinutes = runbookConfigFromEnv().approvalTtlMinutes;
  const now = Date.now();
  const pending = approvals.filter((a) => a.status === 'pending');
  const decided = approvals.filter((a) => a.status !== 'pending');
  return (
    <div className="space-y-5">
      <div>
        <h1 className="text-2xl font-semibold">Approvals</h1>
        <p className="text-sm text-slate-600">
          Destructive steps wait here for a second person: an approver who did not request them.
        </p>
      </div>
      <section className="space-y-3" aria-label="Pending">
        <h2 className="font-semibold">Pending ({pending.length})</h2>
        {pending.length === 0 ? <p className="text-sm text-slate-600">Nothing is waiting for approval.</p> : null}
        {pending.map((approval) => (
          <ApprovalCard
            key={approval.id}
            approval={toJson(approval)}
            word={confirmationWordOf(approval.kind)}
            expiredAfterMinutes={now - approval.requestedAt.getTime() > ttlMinutes * 60_000 ? ttlMinutes : null}
            canDecide={user.roles.includes('approver')}
            isRequester={approval.requestedBy === user.username}
          />
        ))}
      </section>
      <section className="rounded-lg border border-slate-200 bg-white" aria-label="Decided">
        <h2 className="border-b border-slate-200 px-4 py-2 font-semibold">Decided ({decided.length})</h2>
        <div className="overflow-x-auto">
          <table className="w-full text-sm">
            <tbody>
              {decided.map((a) => (
                <tr key={a.id} className="border-t border-slate-100">
                  <td className="px-4 py-1.5 font-mono">#{a.id}</td>
                  <td className="px-4 py-1.5">{a.summary}</td>
                  <td className="px-4 py-1.5">
                    <StatusBadge tone={a.status === 'approved' ? 'good' : 'bad'}>{a.status}</StatusBadge>
                  </td>
                  <td className="px-4 py-1.5">
                    requested by {a.requestedBy}, {a.status === 'expired' ? 'expired' : `decided by ${a.decidedBy}`} at{' '}
                    {formatUtc(a.decidedAt, 'second')}
                    {a.reason ? ` — “${a.reason}”` : ''}
                    {/* Who made each of the two accounts, as recorded with the decision (separation of duties). */}
                    <div className="text-xs text-slate-500">
                      {describeAccountOrigin(a.requesterOrigin)}
                      {a.deciderOrigin ? <> · {describeAccountOrigin(a.deciderOrigin)}</> : null}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}
