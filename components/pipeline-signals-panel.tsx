'use client';

import { useQuery } from '@tanstack/react-query';
import { pipelineSignalsQuery } from '@/lib/client/console-queries';
import type { PipelineSignalsJson } from '@/lib/client/wire-types';
import { formatMinutes, formatUtc } from '@/lib/format';
import { DataTable, TableSection } from './data-table';
import { type BadgeTone, StatusBadge } from './status-badge';

type CursorJson = PipelineSignalsJson['cursors']['tasks'][number];
type WriterJson = PipelineSignalsJson['writers'][number];

const CURSOR_TONES: Record<CursorJson['state'], BadgeTone> = {
  ok: 'good',
  stalled: 'bad',
  hard_failed: 'bad',
  erroring: 'bad',
  disabled: 'warn',
  'not-judged': 'neutral',
};

const WRITER_TONES: Record<WriterJson['state'], BadgeTone> = {
  fresh: 'good',
  lagging: 'warn',
  stale: 'bad',
  'market-closed': 'neutral',
  'no-data': 'neutral',
};

const DXY_FAMILY = /^(DXY|EURUSD|USDJPY|GBPUSD|USDCAD|USDSEK|USDCHF)$/;

/**
 * The pipeline's own signals on the monitor page (docs/operations.md "Pipeline signals"): shown
 * whether or not the 24-hour window has started, since a stalled cursor matters from phase 5 on.
 */
export function PipelineSignalsPanel({ initial }: { initial: PipelineSignalsJson }) {
  const { data } = useQuery({ ...pipelineSignalsQuery(), initialData: initial });
  const signals = data ?? initial;
  // Production holds many symbols: the DXY family always, other tasks only when something is wrong.
  const tasks = signals.cursors.tasks.filter((t) => DXY_FAMILY.test(t.symbol) || t.state !== 'not-judged');
  const hidden = signals.cursors.tasks.length - tasks.length;
  const open = signals.incidents.filter((i) => i.closedAt === null);
  return (
    <section className="space-y-4" aria-label="Pipeline signals" data-testid="pipeline-signals">
      <div className="flex flex-wrap items-baseline gap-x-6 gap-y-1">
        <h2 className="text-xl font-semibold">Pipeline signals</h2>
        <p className="text-sm text-slate-600">
          Market {signals.marketOpen ? 'open' : 'closed'} · data frontier{' '}
          <span className="font-mono">{signals.frontier ? formatUtc(signals.frontier.through) : '—'}</span>
          {signals.frontier && signals.frontier.laggingSymbols.length > 0
            ? ` · held back by ${signals.frontier.laggingSymbols.join(', ')}` +
              (signals.frontier.stillAwaited
                ? ''
                : ` (${formatMinutes(signals.frontier.lateMinutes)} late: no longer awaited, the checks judge what arrived)`)
            : ''}
        </p>
      </div>
      {open.length > 0 ? (
        <ul
          className="space-y-1 rounded-lg border border-red-300 bg-red-50 p-3 text-sm text-red-900"
          data-testid="open-incidents"
        >
          {open.map((incident) => (
            <li key={incident.id}>
              <span className="font-semibold">{incident.kind}</span> since {formatUtc(incident.openedAt)}:{' '}
              {incident.summary}
              {incident.alertedAt ? ' (alerted)' : ''}
            </li>
          ))}
        </ul>
      ) : null}
      <TableSection
        look="card"
        label="Aggregation cursors"
        heading="Aggregation cursors (data_agg_state)"
        empty={signals.cursors.present ? undefined : 'public.data_agg_state is not present in this database.'}
      >
        <DataTable
          columns={[
            'Task',
            'Status',
            'Cursor (next window)',
            { label: 'Behind frontier', right: true },
            'Last error',
            'State',
          ]}
          inset="px-3"
          testId="cursor-table"
        >
          {tasks.map((task) => (
            <tr key={`${task.symbol} ${task.timeframe}`} className="border-t border-slate-100 align-top">
              <td className="whitespace-nowrap px-3 py-1.5 font-medium">
                {task.symbol} {task.timeframe}
              </td>
              <td className="px-3 py-1.5 font-mono text-xs">
                {task.status ?? '—'}
                {task.hardFailStreak ? ` (streak ${task.hardFailStreak})` : ''}
              </td>
              <td className="whitespace-nowrap px-3 py-1.5 font-mono text-xs">{formatUtc(task.cursor)}</td>
              <td className="px-3 py-1.5 text-right font-mono text-xs">
                {task.lagMinutes === null ? '—' : `${task.lagMinutes} / ${task.allowedLagMinutes} min`}
              </td>
              <td className="max-w-xs truncate px-3 py-1.5 text-xs" title={task.lastError ?? undefined}>
                {task.lastError ?? ''}
              </td>
              <td className="px-3 py-1.5">
                <StatusBadge tone={CURSOR_TONES[task.state]}>{task.state}</StatusBadge>
              </td>
            </tr>
          ))}
        </DataTable>
      </TableSection>
      <p className="text-xs text-slate-500">
        Behind frontier: open-market minutes between the cursor and the minute every DXY component has reported through,
        against what a healthy task trails by (its window, run interval and delay, plus{' '}
        {signals.thresholds.cursorStallMinutes} min).
        {hidden > 0 ? ` ${hidden} healthy tasks of other symbols not shown.` : ''}
        {signals.cursors.missingColumns.length > 0
          ? ` Columns this database lacks: ${signals.cursors.missingColumns.join(', ')}.`
          : ''}
      </p>
      <TableSection look="card" label="Writers' freshness" heading="Writers' freshness (from the data)">
        <DataTable
          columns={['Series', 'Writer', 'Table', 'Latest bar', { label: 'Behind', right: true }, 'State']}
          inset="px-3"
          testId="writer-table"
        >
          {signals.writers.map((writer) => (
            <tr key={`${writer.label} ${writer.table}`} className="border-t border-slate-100">
              <td className="px-3 py-1.5 font-medium">{writer.label}</td>
              <td className="px-3 py-1.5 text-xs text-slate-600">{writer.writer}</td>
              <td className="px-3 py-1.5 font-mono text-xs text-slate-600">{writer.table}</td>
              <td className="whitespace-nowrap px-3 py-1.5 font-mono text-xs">{formatUtc(writer.latest)}</td>
              <td className="px-3 py-1.5 text-right font-mono text-xs">
                {writer.minutesBehind === null ? '—' : `${writer.minutesBehind} min`}
              </td>
              <td className="px-3 py-1.5">
                <StatusBadge tone={WRITER_TONES[writer.state]}>{writer.state}</StatusBadge>
              </td>
            </tr>
          ))}
        </DataTable>
      </TableSection>
    </section>
  );
}
