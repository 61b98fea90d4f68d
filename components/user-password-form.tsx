'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { invalidatedBy } from '@/lib/client/mutation-invalidations';
import { changeOwnPasswordAction } from '@/lib/server-actions/users';
import { ActionMessage } from './action-message';
import {
  AccountForPasswordManagers,
  NewPasswordFields,
  PasswordField,
  submitted,
  WideSubmitButton,
} from './form-fields';
import { useConsoleMutation } from './use-console-mutation';

/**
 * Current password, then the new one twice; on success, on to the console — or, when the change
 * revoked API tokens of the user's, to the Tokens page, which says which.
 */
export function UserPasswordForm({ username, forced }: { username: string; forced: boolean }) {
  const router = useRouter();
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [confirmPassword, setConfirmPassword] = useState('');
  const { run, pending, feedback } = useConsoleMutation({
    action: changeOwnPasswordAction,
    invalidates: invalidatedBy.users(),
    okText: 'Password changed. Other sessions of yours were signed out and your API tokens revoked.',
    // On (the helper's refresh then renders the page with the new session state).
    onOk: (result) => router.push(result.revokedApiTokens > 0 ? '/tokens?after=password-change' : '/'),
  });
  return (
    <form className="mt-6 space-y-4" onSubmit={submitted(() => run({ currentPassword, newPassword, confirmPassword }))}>
      <AccountForPasswordManagers username={username} />
      <PasswordField
        label={forced ? 'One-time password' : 'Current password'}
        value={currentPassword}
        onChange={setCurrentPassword}
        autoComplete="current-password"
      />
      <NewPasswordFields
        password={newPassword}
        confirmPassword={confirmPassword}
        onPassword={setNewPassword}
        onConfirmPassword={setConfirmPassword}
      />
      <ActionMessage message={feedback} testId="password-message" />
      <WideSubmitButton pending={pending} pendingText="Saving…">
        Set password
      </WideSubmitButton>
    </form>
  );
}
