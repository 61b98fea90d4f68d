import type { Metadata } from 'next';
import { TokenCreateForm } from '@/components/token-create-form';
import { type TokenRow, TokenTable } from '@/components/token-table';
import { ViewerReadRefused } from '@/components/viewer-read-refused';
import {
  type ApiTokenSummary,
  apiTokenMaxDays,
  apiTokenState,
  listApiTokens,
  TOKEN_LIST_LIMIT,
  tokenLifetimeChoices,
} from '@/lib/auth/api-tokens';
import { requireUser } from '@/lib/auth/current-user';
import { readForViewer } from '@/lib/db/read-refusal';
import { readSetting } from '@/lib/settings';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Tokens' };

const REVOKED_BECAUSE: Record<NonNullable<ApiTokenSummary['revokedReason']>, string | null> = {
  'by-hand': null,
  'password-changed': 'by a password change',
  'user-disabled': 'when the user was disabled',
};

function rows(tokens: ApiTokenSummary[], now: Date): TokenRow[] {
  return tokens.map((t) => ({
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    username: t.username,
    createdAt: t.createdAt.toISOString(),
    expiresAt: t.expiresAt.toISOString(),
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    state: apiTokenState(t, now),
    revokedBecause: t.revokedReason ? REVOKED_BECAUSE[t.revokedReason] : null,
  }));
}

/**
 * The tokens the user's latest password change revoked: the password page sends the user here
 * (`?after=password-change`) when it revoked any, so they learn it before the command line fails.
 */
function revokedByLatestPasswordChange(own: ApiTokenSummary[]): ApiTokenSummary[] {
  const revoked = own.filter((t) => t.revokedReason === 'password-changed' && t.revokedAt);
  const latest = Math.max(...revoked.map((t) => t.revokedAt?.getTime() ?? 0));
  return revoked.filter((t) => t.revokedAt?.getTime() === latest);
}

/** Personal API tokens for `npm run cutover`: create (shown once), see when each was last used, revoke. */
export default async function TokensPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await requireUser();
  const now = new Date();
  // A viewer's page view: on the read pool, behind its limiter (lib/db/read-limit.ts); each list bounded.
  const read = await readForViewer(async ({ db }) => ({
    own: await listApiTokens(db, { userId: user.id }),
    others: user.roles.includes('admin') ? await listApiTokens(db, { exceptUserId: user.id, activeAt: now }) : null,
  }));
  if (!read.ok) return <ViewerReadRefused title="Tokens" message={read.message} />;
  const { own, others } = read.value;
  const afterPasswordChange =
    (await searchParams).after === 'password-change' ? revokedByLatestPasswordChange(own) : [];
  const maxDays = apiTokenMaxDays();
  const choices = tokenLifetimeChoices(maxDays);
  return (
    <div className="space-y-5">
      <div>
        <h1 className="text-2xl font-semibold">Tokens</h1>
        <p className="max-w-3xl text-sm text-slate-600">
          A personal API token lets the command line (<code>npm run cutover</code>) act as you, with your roles, over
          this console’s HTTP API — no database credentials needed. Set it as <code>CUTOVER_TOKEN</code> and this
          console’s address as <code>CUTOVER_URL</code>. Each token is shown once, lives at most {maxDays} days, and can
          be revoked here at any time; what is done with it is audited under your name and the token’s.
        </p>
      </div>
      {afterPasswordChange.length > 0 ? (
        <p
          role="status"
          className="rounded border border-amber-300 bg-amber-50 px-4 py-2 text-sm text-amber-900"
          data-testid="tokens-revoked-by-password-change"
        >
          Your password was changed, so your {afterPasswordChange.length === 1 ? 'API token' : 'API tokens'}{' '}
          {afterPasswordChange.map((t) => `“${t.name}”`).join(', ')} {afterPasswordChange.length === 1 ? 'was' : 'were'}{' '}
          revoked: the command line refuses {afterPasswordChange.length === 1 ? 'it' : 'them'} from now on. Create a new
          one below where you need it.
        </p>
      ) : null}
      <TokenCreateForm
        choices={choices}
        defaultDays={choices.includes(30) ? 30 : (choices.at(-1) ?? 1)}
        consoleUrl={readSetting('CUTOVER_PUBLIC_URL') ?? null}
      />
      <section className="rounded-lg border border-slate-200 bg-white" aria-label="Your tokens">
        <h2 className="border-b border-slate-200 px-4 py-2 font-semibold">
          Your tokens ({own.length < TOKEN_LIST_LIMIT ? own.length : `the newest ${TOKEN_LIST_LIMIT}`})
        </h2>
        <TokenTable tokens={rows(own, now)} showOwner={false} emptyText="You have no tokens yet." />
      </section>
      {others ? (
        <section className="rounded-lg border border-slate-200 bg-white" aria-label="Other users’ active tokens">
          <h2 className="border-b border-slate-200 px-4 py-2 font-semibold">
            Other users’ active tokens (
            {others.length < TOKEN_LIST_LIMIT ? others.length : `the newest ${TOKEN_LIST_LIMIT}`})
          </h2>
          <p className="px-4 pt-2 text-sm text-slate-600">As an admin you may revoke anyone’s token.</p>
          <TokenTable tokens={rows(others, now)} showOwner emptyText="No other user holds an active token." />
        </section>
      ) : null}
    </div>
  );
}
