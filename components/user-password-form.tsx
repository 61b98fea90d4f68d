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
