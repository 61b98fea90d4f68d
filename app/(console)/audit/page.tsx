import type { Metadata } from 'next';
import { AuditFilters } from '@/components/audit-filters';
import { AuditTable } from '@/components/audit-table';
import { ViewerReadRefused } from '@/components/viewer-read-refused';
import { describeAuditChain } from '@/lib/auth/audit-chain';
import { verifyAuditChainIncrementally } from '@/lib/auth/audit-chain-cache';
import { requireUser } from '@/lib/auth/current-user';
import { AUDIT_PAGE_SIZE, auditFilterSchema, listAuditEvents, listAuditFacets } from '@/lib/auth/list-audit-events';
import { readForViewer } from '@/lib/db/read-refusal';
import { formatUtc } from '@/lib/format';
import { canSeeWorkerOutput, hideWorkerOutput } from '@/lib/runbook/worker-control/hide-worker-output';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Audit log' };

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[]>>;
}) {
  const user = await requireUser();
  // Rows from before worker output was redacted at the source still hold command text and stderr: admins only.
  const hide = canSeeWorkerOutput(user.roles) ? undefined : hideWorkerOutput;
  const raw = await searchParams;
  const filter = auditFilterSchema.parse(
    Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v || undefined])),
  );
  // A viewer's read: the read pool, behind the viewer read limit and its statement timeout; the chain is
  // verified from the last head this process verified, not from the first row (lib/auth/audit-chain-cache.ts).
  const read = await readForViewer(({ db, sql }) =>
    Promise.all([listAuditEvents(db, filter, { hide }), listAuditFacets(db), verifyAuditChainIncrementally(sql)]),
  );
  if (!read.ok) return <ViewerReadRefused title="Audit log" message={read.message} />;
  const [events, facets, { state: chain, resumedFrom, brokenFoundAt }] = read.value;
  const oldest = events.at(-1)?.id;
  const nextParams = new URLSearchParams(
    Object.entries({ ...filter, before: oldest }).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])),
  );
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold">Audit log</h1>
        <p className="text-sm text-slate-600">Every attempt — accepted, refused, invalid or failed — newest first.</p>
        <p
          role="status"
          aria-label="Audit chain"
          className={`mt-2 rounded px-3 py-2 text-sm ${chain.intact ? 'bg-emerald-50 text-emerald-900' : 'bg-red-100 font-semibold text-red-900'}`}
        >
          {describeAuditChain(chain)}
          {resumedFrom ? ` Checked from event #${resumedFrom.id}, verified earlier by this server.` : ''}
          {brokenFoundAt ? ` Found at ${formatUtc(brokenFoundAt, 'second')}; checked again a few minutes later.` : ''}{' '}
          Keyed (HMAC) and append-only; <code>npm run audit -- verify</code> checks the whole chain against the latest
          anchor.
        </p>
      </div>
      <AuditFilters filter={filter} facets={facets} />
      <AuditTable events={events} />
      {events.length === AUDIT_PAGE_SIZE && oldest ? (
        <a className="text-sm text-sky-700 underline" href={`/audit?${nextParams.toString()}`}>
          Older events →
        </a>
      ) : null}
    </div>
  );
}
