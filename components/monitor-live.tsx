'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { monitorQuery } from '@/lib/client/console-queries';
import { invalidatedBy } from '@/lib/client/mutation-invalidations';
import type { MonitorStateJson } from '@/lib/client/wire-types';
import { formatUtc } from '@/lib/format';
import { hourLabel, toCheckSeries } from '@/lib/monitor/chart-series';
import { waiveFailedHourAction } from '@/lib/server-actions/monitor';
import { CheckChart } from './check-chart';
import { DataTable, TableSection } from './data-table';
import { submitted } from './form-fields';
import { HourStrip } from './hour-strip';
import { StatusBadge } from './status-badge';
import { useConsoleMutation } from './use-console-mutation';

function formatCountdown(ms: number | null): string {
  if (ms === null) return '—';
  if (ms <= 0) return 'ended';
  const minutes = Math.floor(ms / 60_000);
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const TONE = { PASS: 'good', WARN: 'warn', FAIL: 'bad' } as const;

export function MonitorLive({ initial, canWaive }: { initial: MonitorStateJson; canWaive: boolean }) {
  const { data } = useQuery({ ...monitorQuery(), initialData: initial });
  const state = data ?? initial;
  if (!state.window) {
    return (
      <p className="rounded-lg border border-slate-200 bg-white p-4 text-sm text-slate-700">
        The 24-hour window starts when phase 7 (deploy + restart) has been verified. Nothing to monitor yet.
      </p>
    );
  }
  const series = toCheckSeries(state.slots);
  const latest = state.latest;
  return (
    <div className="space-y-5">
      <section
        className="flex flex-wrap items-center gap-6 rounded-lg border border-slate-200 bg-white p-4"
        aria-label="Window"
      >
        <div>
          <p className="text-xs uppercase text-slate-500">Latest hour</p>
          <p className="text-2xl font-bold" data-testid="latest-verdict">
            {latest ? (
              <StatusBadge tone={TONE[latest.state as keyof typeof TONE] ?? 'neutral'}>{latest.state}</StatusBadge>
            ) : (
              'no snapshot yet'
            )}
          </p>
          {latest ? <p className="text-xs text-slate-500">{hourLabel(latest.hourStart)} UTC</p> : null}
        </div>
        <div>
          <p className="text-xs uppercase text-slate-500">Hours taken</p>
          <p className="font-mono text-2xl font-semibold" data-testid="hours-taken">
            {state.taken} / {state.slots.length}
          </p>
        </div>
        <div>
          <p className="text-xs uppercase text-slate-500">Open-market hours passed</p>
          <p className="font-mono text-2xl font-semibold" data-testid="open-hours-passed">
            {state.openHoursPassed} / {state.minOpenHours}
          </p>
          <p className="text-xs text-slate-500">{state.closedHours} hours with the market closed</p>
        </div>
        <div>
          <p className="text-xs uppercase text-slate-500">FAIL hours not waived</p>
          <p className={`font-mono text-2xl font-semibold ${state.unwaivedFailures > 0 ? 'text-red-700' : ''}`}>
            {state.unwaivedFailures}
          </p>
        </div>
        <div>
          <p className="text-xs uppercase text-slate-500">Window ends in</p>
          <p className="font-mono text-2xl font-semibold" data-testid="countdown">
            {state.complete ? 'complete' : formatCountdown(state.msUntilEnd)}
          </p>
          <p className="text-xs text-slate-500">
            {formatUtc(state.window.startedAt)} → {formatUtc(state.estimatedEnd)}
            {state.extended && !state.complete ? ' (estimated)' : ''}
          </p>
        </div>
      </section>
      {state.extended && !state.complete ? (
        <p
          className="rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900"
          data-testid="window-extended"
        >
          The window is extended: hours with the FX market closed prove nothing ({state.closedHours} so far), and it
          needs {state.minOpenHours} open-market hours that passed ({state.openHoursPassed} so far). It goes on hour by
          hour until about {formatUtc(state.estimatedEnd)} (estimated; later if an open hour fails).
        </p>
      ) : null}
      <HourStrip slots={state.slots} />
      <p className="text-xs text-slate-500">
        * taken late (the runner was away when the hour was due). “waived” (blue ring): a FAIL hour an approver waived.
        “closed” (grey): the market was closed all hour, so it proves nothing. A dashed border: an hour past the first
        24.
      </p>
      <div className="grid gap-4 md:grid-cols-2 xl:grid-cols-3">
        {series.map((s) => (
          <CheckChart key={s.key} series={s} windowStartHour={hourLabel(state.window?.firstHour ?? '')} />
        ))}
      </div>
      <SnapshotTable slots={state.slots} canWaive={canWaive} />
    </div>
  );
}

function SnapshotTable({ slots, canWaive }: { slots: MonitorStateJson['slots']; canWaive: boolean }) {
  const taken = slots.filter((s) => s.takenAt);
  const keys = taken[0]?.checks.map((c) => ({ key: c.key, name: c.name })) ?? [];
  return (
    <TableSection look="card" label="Hourly snapshots" heading="Hourly snapshots (table)">
      <DataTable
        columns={[
          'Hour (UTC)',
          'Verdict',
          ...keys.map((k) => ({ key: k.key, label: k.key.replace('_', ' '), title: k.name })),
          'Taken',
          'Waiver',
        ]}
        inset="px-3"
        testId="snapshot-table"
      >
        {taken.map((slot) => (
          <tr key={slot.index} className="border-t border-slate-100 align-top">
            <td className="whitespace-nowrap px-3 py-1.5 font-mono">{hourLabel(slot.hourStart)}</td>
            <td className="px-3 py-1.5">
              <StatusBadge tone={TONE[slot.state as keyof typeof TONE] ?? 'neutral'}>{slot.state}</StatusBadge>
            </td>
            {slot.checks.map((c) => (
              <td
                key={c.key}
                className={`px-3 py-1.5 font-mono ${c.verdict === 'FAIL' ? 'font-bold text-red-700' : c.verdict === 'WARN' ? 'text-amber-700' : ''}`}
                title={c.detail}
              >
                {c.value}
              </td>
            ))}
            <td className="whitespace-nowrap px-3 py-1.5 font-mono text-xs">
              {formatUtc(slot.takenAt)}
              {slot.late ? ' (late)' : ''}
            </td>
            <td className="px-3 py-1.5 text-xs">
              {slot.waivedBy ? (
                `waived by ${slot.waivedBy}: ${slot.waiverReason}`
              ) : slot.state === 'FAIL' && canWaive && slot.snapshotId ? (
                <WaiveForm snapshotId={slot.snapshotId} />
              ) : (
                ''
              )}
            </td>
          </tr>
        ))}
      </DataTable>
    </TableSection>
  );
}

function WaiveForm({ snapshotId }: { snapshotId: number }) {
  const [reason, setReason] = useState('');
  // Invalidating the monitor query is what shows the waiver: the page's refreshed `initial` does not reseed it.
  const { run, pending, feedback } = useConsoleMutation({
    action: waiveFailedHourAction,
    invalidates: invalidatedBy.hourWaiver(),
  });
  return (
    <form className="flex gap-1" onSubmit={submitted(() => run({ snapshotId, reason }))}>
      <input
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        placeholder="reason"
        aria-label="Waiver reason"
        className="w-40 rounded border border-slate-300 px-1"
      />
      <button
        type="submit"
        disabled={pending || reason.trim().length < 10}
        className="rounded border border-sky-600 px-2 text-sky-800 disabled:opacity-40"
      >
        Waive
      </button>
      {feedback ? (
        <span role="status" className={feedback.tone === 'ok' ? 'text-emerald-800' : 'text-red-700'}>
          {feedback.text}
        </span>
      ) : null}
    </form>
  );
}
