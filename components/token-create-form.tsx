'use client';

import { useState } from 'react';
import { invalidatedBy } from '@/lib/client/mutation-invalidations';
import { createTokenAction } from '@/lib/server-actions/tokens';
import { ActionMessage } from './action-message';
import { Button, Field, INPUT_CLASS, PasswordField, submitted, TextField } from './form-fields';
import { Panel } from './panel';
import { useConsoleMutation } from './use-console-mutation';

interface CreatedToken {
  name: string;
  token: string;
  expiresAt: string;
}

/**
 * "Create token": a name, a lifetime and the user's password again (a session alone must not mint
 * 90 days of access: lib/auth/api-tokens.ts); the new token is shown here once, to copy.
 */
export function TokenCreateForm({
  choices,
  defaultDays,
  consoleUrl,
}: {
  choices: number[];
  defaultDays: number;
  /** CUTOVER_PUBLIC_URL when set; else the address this page was opened at. */
  consoleUrl: string | null;
}) {
  const [name, setName] = useState('');
  const [days, setDays] = useState(String(defaultDays));
  const [password, setPassword] = useState('');
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [copied, setCopied] = useState(false);
  const { run, pending, feedback } = useConsoleMutation({
    action: createTokenAction,
    invalidates: invalidatedBy.tokens(),
    // No confirmation text: the new-token panel below is the confirmation.
    onOk: (token) => {
      setCreated({ name: token.name, token: token.token, expiresAt: new Date(token.expiresAt).toISOString() });
      setName('');
      setPassword('');
    },
  });

  const create = () => {
    setCopied(false);
    run({ name, expiresInDays: days, password });
  };

  const copy = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.token);
      setCopied(true);
    } catch {
      // No clipboard (plain http on another host): the field is selected, copy by hand.
      (document.getElementById('new-token') as HTMLInputElement | null)?.select();
    }
  };

  const url = consoleUrl ?? (typeof window === 'undefined' ? 'https://…' : window.location.origin);

  return (
    <Panel label="Create a token">
      <form className="mt-3 flex flex-wrap items-end gap-4" onSubmit={submitted(() => create())}>
        <TextField
          label="Token name"
          name="name"
          value={name}
          onChange={setName}
          maxLength={64}
          required
          placeholder="e.g. laptop, cutover night"
          autoComplete="off"
          width="w-72"
        />
        <Field label="Expires after">
          <select
            name="expiresInDays"
            value={days}
            onChange={(event) => setDays(event.target.value)}
            className={`mt-1 ${INPUT_CLASS}`}
          >
            {choices.map((choice) => (
              <option key={choice} value={String(choice)}>
                {choice === 1 ? '1 day' : `${choice} days`}
              </option>
            ))}
          </select>
        </Field>
        <div className="w-60">
          <PasswordField
            label="Your password (asked again)"
            value={password}
            onChange={setPassword}
            autoComplete="current-password"
          />
        </div>
        <Button tone="primary" type="submit" disabled={pending || name.trim() === '' || password === ''}>
          {pending ? 'Creating…' : 'Create token'}
        </Button>
      </form>
      <ActionMessage message={feedback} testId="token-problem" />
      {created ? (
        <div className="mt-4 rounded border border-emerald-300 bg-emerald-50 p-3 text-sm" data-testid="new-token-panel">
          <p className="font-medium text-emerald-900">
            Token “{created.name}” created; it expires {created.expiresAt.slice(0, 16).replace('T', ' ')} UTC.
          </p>
          <div className="mt-2 flex flex-wrap items-center gap-2">
            <label htmlFor="new-token" className="font-medium">
              New token
            </label>
            <input
              id="new-token"
              readOnly
              value={created.token}
              onFocus={(event) => event.target.select()}
              className="w-full max-w-xl rounded border border-slate-300 bg-white px-2 py-1 font-mono text-xs"
            />
            <button
              type="button"
              onClick={copy}
              className="rounded border border-slate-300 bg-white px-3 py-1 hover:bg-slate-100"
            >
              {copied ? 'Copied' : 'Copy'}
            </button>
          </div>
          <p className="mt-2 text-emerald-900" data-testid="new-token-hint">
            Copy it now: it is shown only this once (the console keeps only its hash). Then, where you run the command
            line:
          </p>
          <pre className="mt-1 overflow-x-auto rounded bg-white px-2 py-1 font-mono text-xs">
            {`export CUTOVER_URL=${url}\nexport CUTOVER_TOKEN=<the new token>\nnpm run cutover -- whoami`}
          </pre>
        </div>
      ) : null}
    </Panel>
  );
}
