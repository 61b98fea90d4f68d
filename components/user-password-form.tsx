'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { invalidatedBy } from '@/lib/client/mutation-invalidations';
import { changeOwnPasswordAction } from '@/lib/server-actions/users';
import { ActionMessage } from './action-message';
import { useConsoleMutation } from './use-console-mutation';

/** Current password, then the new one twice; on success, on to the console. */
export function UserPasswordForm({ username, forced }: { username: string; forced: boolean }) {
  const router = useRouter();
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [confirmPassword, setConfirmPassword] = useState('');
  const { run, pending, feedback } = useConsoleMutation({
    action: changeOwnPasswordAction,
    invalidates: invalidatedBy.users(),
    okText: 'Password changed. Other sessions of yours were signed out.',
    // On to the console (the helper's refresh then renders it with the new session state).
    onOk: () => router.push('/'),
  });
  const field = (label: string, value: string, set: (v: string) => void, autoComplete: string) => (
    <label className="block text-sm">
      <span className="block font-medium text-slate-700">{label}</span>
      <input
        type="password"
        autoComplete={autoComplete}
        value={value}
        onChange={(event) => set(event.target.value)}
        required
        className="mt-1 w-full rounded border border-slate-300 px-3 py-2"
      />
    </label>
  );
  return (
    <form
      className="mt-6 space-y-4"
      onSubmit={(event) => {
        event.preventDefault();
        run({ currentPassword, newPassword, confirmPassword });
      }}
    >
      <input type="text" name="username" autoComplete="username" value={username} readOnly hidden />
      {field(
        forced ? 'One-time password' : 'Current password',
        currentPassword,
        setCurrentPassword,
        'current-password',
      )}
      {field('New password (at least 10 characters)', newPassword, setNewPassword, 'new-password')}
      {field('New password again', confirmPassword, setConfirmPassword, 'new-password')}
      {feedback ? (
        <div data-testid="password-message">
          <ActionMessage message={feedback} />
        </div>
      ) : null}
      <button
        type="submit"
        disabled={pending}
        className="w-full rounded bg-slate-900 px-4 py-2 font-medium text-white hover:bg-slate-700 disabled:opacity-60"
      >
        {pending ? 'Saving…' : 'Set password'}
      </button>
    </form>
  );
}
