import Link from 'next/link';

const PHASES = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];

export function PhaseTabs({ current }: { current: string }) {
  return (
    <nav aria-label="Phases" className="flex flex-wrap gap-1 text-sm">
      {PHASES.map((phase) => (
        <Link
          key={phase}
          href={phase === '8' ? '/monitor' : `/phases/${phase}`}
          aria-current={phase === current ? 'page' : undefined}
          className={`rounded px-3 py-1 ${phase === current ? 'bg-slate-900 text-white' : 'bg-white text-slate-700 ring-1 ring-slate-200 hover:bg-slate-100'}`}
        >
          Phase {phase}
        </Link>
      ))}
      <Link href="/rollback" className="rounded bg-white px-3 py-1 text-red-800 ring-1 ring-red-200 hover:bg-red-50">
        Rollback
      </Link>
    </nav>
  );
}
