'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import type { ActionResult } from '@/lib/auth/action';
import { createTokenAction } from '@/lib/server-actions/tokens';

function problemOf(result: ActionResult<unknown>): string | null {
  if (result.status === 'ok') return null;
  if (result.status === 'refused') return result.reason;
  if (result.status === 'invalid') return Object.values(result.fieldErrors).flat().join('; ');
  return result.message;
}

interface CreatedToken {
  name: string;
  token: string;
  expiresAt: string;
}

/** "Create token": a name and a lifetime; the new token is shown here once, to copy. */
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
  const router = useRouter();
  const [name, setName] = useState('');
  const [days, setDays] = useState(String(defaultDays));
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [pending, startTransition] = useTransition();

  const create = () =>
    startTransition(async () => {
      setCopied(false);
      let result: Awaited<ReturnType<typeof createTokenAction>>;
      try {
        result = await createTokenAction({ name, expiresInDays: days });
      } catch {
        setProblem('The console did not answer; the token may not have been created. Reload the page to see.');
        return;
      }
      setProblem(problemOf(result));
      if (result.status === 'ok') {
        setCreated({
          name: result.data.name,
          token: result.data.token,
          expiresAt: new Date(result.data.expiresAt).toISOString(),
        });
        setName('');
      }
      router.refresh();
    });

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
    <section className="rounded-lg border border-slate-200 bg-white p-4" aria-label="Create a token">
      <h2 className="font-semibold">Create a token</h2>
      <form
        className="mt-3 flex flex-wrap items-end gap-4"
        onSubmit={(event) => {
          event.preventDefault();
          create();
        }}
      >
        <label className="text-sm">
          <span className="block font-medium">Token name</span>
          <input
            name="name"
            value={name}
            onChange={(event) => setName(event.target.value)}
            maxLength={64}
            required
            placeholder="e.g. laptop, cutover night"
            className="mt-1 w-72 rounded border border-slate-300 px-2 py-1"
            autoComplete="off"
          />
        </label>
        <label className="text-sm">
          <span className="block font-medium">Expires after</span>
          <select
            name="expiresInDays"
            value={days}
            onChange={(event) => setDays(event.target.value)}
            className="mt-1 rounded border border-slate-300 px-2 py-1"
          >
            {choices.map((choice) => (
              <option key={choice} value={String(choice)}>
                {choice === 1 ? '1 day' : `${choice} days`}
              </option>
            ))}
          </select>
        </label>
        <button
          type="submit"
          disabled={pending || name.trim() === ''}
          className="rounded bg-slate-900 px-4 py-2 font-medium text-white hover:bg-slate-700 disabled:opacity-40"
        >
          {pending ? 'Creating…' : 'Create token'}
        </button>
      </form>
      {problem ? (
        <p role="alert" className="mt-3 rounded bg-red-50 px-3 py-2 text-sm text-red-800" data-testid="token-problem">
          {problem}
        </p>
      ) : null}
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
    </section>
  );
}
