'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { acceptInvitationAction } from '@/lib/server-actions/users';
import { describeUserResult, UserFeedback, type UserFeedbackMessage } from './user-feedback';

/** The invited person chooses their password (twice); on success they go to the sign-in page. */
export function UserInviteAcceptForm({ token, username }: { token: string; username: string }) {
  const router = useRouter();
  const [password, setPassword] = useState('');
  const [confirmPassword, setConfirmPassword] = useState('');
  const [message, setMessage] = useState<UserFeedbackMessage | null>(null);
  const [pending, startTransition] = useTransition();
  return (
    <form
      className="mt-6 space-y-4"
      onSubmit={(event) => {
        event.preventDefault();
        startTransition(async () => {
          const result = await acceptInvitationAction({ token, password, confirmPassword });
          if (result.status === 'ok') {
            router.push('/login');
            return;
          }
          setMessage(describeUserResult(result, ''));
        });
      }}
    >
      {/* For password managers: the account the new password belongs to. */}
      <input type="text" name="username" autoComplete="username" value={username} readOnly hidden />
      <label className="block text-sm">
        <span className="block font-medium text-slate-700">New password (at least 10 characters)</span>
        <input
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          required
          className="mt-1 w-full rounded border border-slate-300 px-3 py-2"
        />
      </label>
      <label className="block text-sm">
        <span className="block font-medium text-slate-700">New password again</span>
        <input
          type="password"
          autoComplete="new-password"
          value={confirmPassword}
          onChange={(event) => setConfirmPassword(event.target.value)}
          required
          className="mt-1 w-full rounded border border-slate-300 px-3 py-2"
        />
      </label>
      <UserFeedback message={message} testId="invite-message" />
      <button
        type="submit"
        disabled={pending}
        className="w-full rounded bg-slate-900 px-4 py-2 font-medium text-white hover:bg-slate-700 disabled:opacity-60"
      >
        {pending ? 'Creating your account…' : `Create account ${username}`}
      </button>
    </form>
  );
}
