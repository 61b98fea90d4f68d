'use client';

import { useActionState } from 'react';
import { type SignInState, signInAction } from '@/lib/server-actions/sign-in';
import { WideSubmitButton } from './form-fields';

const initialState: SignInState = { error: null, username: '' };

export function LoginForm() {
  const [state, formAction, pending] = useActionState(signInAction, initialState);
  return (
    <form action={formAction} className="mt-6 space-y-4">
      <div>
        <label htmlFor="username" className="block text-sm font-medium text-slate-700">
          Username
        </label>
        <input
          id="username"
          name="username"
          autoComplete="username"
          required
          defaultValue={state.username}
          className="mt-1 w-full rounded border border-slate-300 px-3 py-2 focus:border-slate-500 focus:outline-none"
        />
      </div>
      <div>
        <label htmlFor="password" className="block text-sm font-medium text-slate-700">
          Password
        </label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          className="mt-1 w-full rounded border border-slate-300 px-3 py-2 focus:border-slate-500 focus:outline-none"
        />
      </div>
      {state.error ? (
        <p role="alert" data-testid="sign-in-error" className="rounded bg-red-50 px-3 py-2 text-sm text-red-800">
          {state.error}
        </p>
      ) : null}
      <WideSubmitButton pending={pending} pendingText="Signing in…">
        Sign in
      </WideSubmitButton>
    </form>
  );
}
