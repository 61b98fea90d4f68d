import type { Metadata } from 'next';
import Link from 'next/link';
import { UserPasswordForm } from '@/components/user-password-form';
import { requireUser } from '@/lib/auth/current-user';
import { signOutAction } from '@/lib/server-actions/sign-in';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Your password' };

/**
 * Outside the console's layout on purpose: the layout sends a user who still has an admin's
 * one-time password here, and this page must not send them back.
 */
export default async function AccountPasswordPage() {
  const user = await requireUser();
  const forced = user.mustChangePassword === true;
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-8 shadow-sm">
        <h1 className="text-xl font-semibold">{forced ? 'Choose your password' : 'Change your password'}</h1>
        <p className="mt-2 text-sm text-slate-700">
          {forced
            ? `Signed in as ${user.username} with a one-time password an admin gave you. Choose your own before using the console.`
            : `Signed in as ${user.username}. Changing the password signs out your other sessions and revokes your API tokens (the Tokens page then lists them).`}
        </p>
        <UserPasswordForm username={user.username} forced={forced} />
        <div className="mt-4 flex items-center justify-between text-sm">
          {forced ? (
            <span />
          ) : (
            <Link href="/" className="text-sky-700 underline">
              Back to the console
            </Link>
          )}
          <form action={signOutAction}>
            <button type="submit" className="text-slate-600 underline">
              Sign out
            </button>
          </form>
        </div>
      </div>
    </main>
  );
}
