'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { acceptInvitationAction } from '@/lib/server-actions/users';
import { AccountForPasswordManagers, NewPasswordFields, submitted, WideSubmitButton } from './form-fields';
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
      onSubmit={submitted(() =>
        startTransition(async () => {
          const result = await acceptInvitationAction({ token, password, confirmPassword });
          if (result.status === 'ok') {
            router.push('/login');
            return;
          }
          setMessage(describeUserResult(result, ''));
        }),
      )}
    >
      <AccountForPasswordManagers username={username} />
      <NewPasswordFields
        password={password}
        confirmPassword={confirmPassword}
        onPassword={setPassword}
        onConfirmPassword={setConfirmPassword}
      />
      <UserFeedback message={message} testId="invite-message" />
      <WideSubmitButton pending={pending} pendingText="Creating your account…">
        {`Create account ${username}`}
      </WideSubmitButton>
    </form>
  );
}
