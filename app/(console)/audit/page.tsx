import type { Metadata } from 'next';
import { AuditFilters } from '@/components/audit-filters';
import { AuditTable } from '@/components/audit-table';
import { describeAuditChain, verifyAuditChain } from '@/lib/auth/audit-chain';
import { requireUser } from '@/lib/auth/current-user';
import { AUDIT_PAGE_SIZE, auditFilterSchema, listAuditEvents, listAuditFacets } from '@/lib/auth/list-audit-events';
import { getDatabase, getDb } from '@/lib/db/connection';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Audit log' };

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[]>>;
}) {
  await requireUser();
  const raw = await searchParams;
  const filter = auditFilterSchema.parse(
    Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v || undefined])),
  );
  const db = getDb();
  const [events, facets, chain] = await Promise.all([
    listAuditEvents(db, filter),
    listAuditFacets(db),
    verifyAuditChain(getDatabase().sql),
  ]);
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
          {describeAuditChain(chain)} Append-only: rows cannot be updated or deleted;{' '}
          <code>npm run audit -- verify</code> checks the same chain.
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
