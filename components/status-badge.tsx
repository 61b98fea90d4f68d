import type { ReactNode } from 'react';

export type BadgeTone = 'good' | 'warn' | 'bad' | 'neutral' | 'info';

const TONES: Record<BadgeTone, string> = {
  good: 'bg-emerald-100 text-emerald-800 ring-emerald-300',
  warn: 'bg-amber-100 text-amber-900 ring-amber-300',
  bad: 'bg-red-100 text-red-800 ring-red-300',
  neutral: 'bg-slate-100 text-slate-700 ring-slate-300',
  info: 'bg-sky-100 text-sky-800 ring-sky-300',
};

export function StatusBadge({ tone, children }: { tone: BadgeTone; children: ReactNode }) {
  return (
    <span
      className={`inline-flex items-center rounded px-2 py-0.5 text-xs font-semibold ring-1 ring-inset ${TONES[tone]}`}
    >
      {children}
    </span>
  );
}
