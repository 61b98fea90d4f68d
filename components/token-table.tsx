'use client';

import { invalidatedBy } from '@/lib/client/mutation-invalidations';
import { formatUtc } from '@/lib/format';
import { revokeTokenAction } from '@/lib/server-actions/tokens';
import { ActionMessage } from './action-message';
import { TableFrame } from './data-table';
import { useConsoleMutation } from './use-console-mutation';

export interface TokenRow {
  id: number;
  name: string;
  prefix: string;
  username: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  state: 'active' | 'expired' | 'revoked';
  /** Why a revoked token was revoked, when not by hand (e.g. "by a password change"). */
  revokedBecause?: string | null;
}

const STATE_CLASSES: Record<TokenRow['state'], string> = {
  active: 'bg-emerald-100 text-emerald-900',
  expired: 'bg-slate-100 text-slate-700',
  revoked: 'bg-red-100 text-red-800',
};

/** Tokens with their prefix, dates and state; an active one can be revoked. */
export function TokenTable({
  tokens,
  showOwner,
  emptyText,
}: {
  tokens: TokenRow[];
  showOwner: boolean;
  emptyText: string;
}) {
  const { run, pending, feedback } = useConsoleMutation({
    action: revokeTokenAction,
    invalidates: invalidatedBy.tokens(),
  });
  const revoke = (id: number) => run({ id });

  return (
    <TableFrame look="card" empty={tokens.length === 0 ? emptyText : null}>
      <ActionMessage message={feedback} className="mx-4" />
      <table className="w-full text-sm" data-testid={showOwner ? 'others-tokens' : 'own-tokens'}>
        <thead className="text-left text-slate-600">
          <tr>
            <th className="px-4 py-1.5 font-medium">Name</th>
            {showOwner ? <th className="px-4 py-1.5 font-medium">User</th> : null}
            <th className="px-4 py-1.5 font-medium">Prefix</th>
            <th className="px-4 py-1.5 font-medium">Created</th>
            <th className="px-4 py-1.5 font-medium">Expires</th>
            <th className="px-4 py-1.5 font-medium">Last used</th>
            <th className="px-4 py-1.5 font-medium">State</th>
            <th className="px-4 py-1.5" />
          </tr>
        </thead>
        <tbody>
          {tokens.map((t) => (
            <tr key={t.id} className="border-t border-slate-100" data-testid={`token-${t.id}`}>
              <td className="px-4 py-1.5">{t.name}</td>
              {showOwner ? <td className="px-4 py-1.5">{t.username}</td> : null}
              <td className="px-4 py-1.5 font-mono text-xs">{t.prefix}…</td>
              <td className="whitespace-nowrap px-4 py-1.5">{formatUtc(t.createdAt)}</td>
              <td className="whitespace-nowrap px-4 py-1.5">{formatUtc(t.expiresAt)}</td>
              <td className="whitespace-nowrap px-4 py-1.5">{t.lastUsedAt ? formatUtc(t.lastUsedAt) : 'never'}</td>
              <td className="px-4 py-1.5">
                <span className={`rounded px-2 py-0.5 text-xs font-medium ${STATE_CLASSES[t.state]}`}>{t.state}</span>
                {t.state === 'revoked' && t.revokedBecause ? (
                  <span className="ml-1 text-xs text-slate-600">{t.revokedBecause}</span>
                ) : null}
              </td>
              <td className="px-4 py-1.5 text-right">
                {t.state === 'active' ? (
                  <button
                    type="button"
                    disabled={pending}
                    onClick={() => revoke(t.id)}
                    aria-label={`Revoke token ${t.name}${showOwner ? ` of ${t.username}` : ''}`}
                    className="rounded border border-red-400 px-3 py-1 font-medium text-red-800 hover:bg-red-50 disabled:opacity-40"
                  >
                    Revoke
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableFrame>
  );
}
