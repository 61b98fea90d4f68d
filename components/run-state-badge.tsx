import { type BadgeTone, StatusBadge } from './status-badge';

const STATES: Record<string, { label: string; tone: BadgeTone }> = {
  'not-started': { label: 'not started', tone: 'neutral' },
  'awaiting-approval': { label: 'awaiting approval', tone: 'warn' },
  pending: { label: 'queued', tone: 'info' },
  running: { label: 'running', tone: 'info' },
  paused: { label: 'paused', tone: 'warn' },
  succeeded: { label: 'succeeded', tone: 'good' },
  failed: { label: 'FAILED', tone: 'bad' },
  rejected: { label: 'rejected', tone: 'bad' },
  aborted: { label: 'aborted', tone: 'warn' },
  'window-open': { label: 'window open', tone: 'info' },
};

export function RunStateBadge({ state }: { state: string }) {
  const entry = STATES[state] ?? { label: state, tone: 'neutral' as const };
  return <StatusBadge tone={entry.tone}>{entry.label}</StatusBadge>;
}
