import type { ConsoleStatusJson } from '@/lib/client/wire-types';
import { formatCount } from '@/lib/format';

type Counts = NonNullable<ConsoleStatusJson['counts']>;
type CountKey = Exclude<keyof Counts, 'countedAt'>;

const CARDS: { key: CountKey; label: string; table: string }[] = [
  { key: 'dataBars1m', label: 'DXY 1m in data_bars', table: 'new home' },
  { key: 'derivedActive1m', label: 'DXY 1m active in derived_data_bars', table: 'legacy' },
  { key: 'derivedSoftDeleted1m', label: 'DXY 1m soft-deleted in derived_data_bars', table: 'legacy, deleted_at set' },
  { key: 'derived5m', label: 'DXY 5m', table: 'derived_data_bars' },
  { key: 'derived1h', label: 'DXY 1h', table: 'derived_data_bars' },
];

export function DxyCountsPanel({ counts }: { counts: Counts }) {
  return (
    <section aria-label="DXY row counts">
      <div className="grid grid-cols-2 gap-3 md:grid-cols-5">
        {CARDS.map((card) => (
          <div key={card.key} className="rounded-lg border border-slate-200 bg-white p-4">
            <p className="text-xs font-medium uppercase tracking-wide text-slate-500">{card.label}</p>
            <p className="mt-1 font-mono text-2xl font-semibold" data-testid={`count-${card.key}`}>
              {formatCount(counts[card.key])}
            </p>
            <p className="text-xs text-slate-500">{card.table}</p>
          </div>
        ))}
      </div>
      <p className="mt-1 text-xs text-slate-500">
        Counted at {new Date(counts.countedAt).toISOString().slice(11, 19)} UTC (wall clock). One count serves every
        viewer for 5 s, longer when counting is slow (20 × its time), so watching stays cheap for the database.
      </p>
    </section>
  );
}
