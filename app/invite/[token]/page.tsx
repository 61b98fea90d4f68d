import type { Metadata } from 'next';
import { UserInviteAcceptForm } from '@/components/user-invite-accept-form';
import { readInvitationForVisitor } from '@/lib/auth/invitation-page-read';
import { INVITATION_PROBLEMS } from '@/lib/auth/invitations';
import { formatUtc } from '@/lib/format';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Invitation', referrer: 'no-referrer' };

/** Outside the console's layout: the invited person has no account yet; the link's token is the authority. */
export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  // Anonymous and unthrottled: one keyed lookup on the read pool, behind its own small limiter.
  const read = await readInvitationForVisitor(token);
  if (!read.ok) {
    return (
      <main className="flex min-h-screen items-center justify-center p-6">
        <p
          role="alert"
          className="max-w-sm rounded bg-amber-50 px-3 py-2 text-sm text-amber-900"
          data-testid="invite-busy"
        >
          {read.message}
        </p>
      </main>
    );
  }
  const invitation = read.value;
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-8 shadow-sm">
        <h1 className="text-xl font-semibold">dxy-cutover invitation</h1>
        {invitation.status === 'pending' ? (
          <>
            <p className="mt-2 text-sm text-slate-700">
              An admin invited{' '}
              <span className="font-semibold" data-testid="invited-username">
                {invitation.username}
              </span>{' '}
              ({invitation.roles.join(', ')}). Choose your password; the link works once, until{' '}
              {formatUtc(invitation.expiresAt)}.
            </p>
            <UserInviteAcceptForm token={token} username={invitation.username} />
          </>
        ) : (
          <p
            role="alert"
            className="mt-4 rounded bg-red-50 px-3 py-2 text-sm text-red-800"
            data-testid="invite-problem"
          >
            {INVITATION_PROBLEMS[invitation.status]}
          </p>
        )}
        <a href="/login" className="mt-4 block text-sm text-sky-700 underline">
          Sign in
        </a>
      </div>
    </main>
  );
}
