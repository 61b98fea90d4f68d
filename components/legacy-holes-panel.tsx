import { formatCount } from '@/lib/format';
import type { LegacyHoles } from '@/lib/runbook/phases/1-preflight/legacy-holes';

/**
 * Holes in the legacy history over the compared range: findings that predate the migration, shown
 * so that nobody mistakes them for something the migration lost.
 */
export function LegacyHolesPanel({ holes, limitDays }: { holes: LegacyHoles | null; limitDays: number }) {
  return (
    <section
      className="rounded-lg border border-slate-200 bg-white p-4 text-sm"
      aria-label="Holes in the legacy history"
    >
      <h2 className="font-semibold">Holes in the legacy history (findings, not failures)</h2>
      {holes === null ? (
        <p className="mt-1 text-slate-600">
          Listed for ranges of up to {limitDays} days (they read every component minute); phase 1’s report covers the
          whole history.
        </p>
      ) : holes.completeWithoutLegacy === 0 && holes.legacyWithoutComponents === 0 ? (
        <p className="mt-1 text-slate-600">
          None in this range: every minute with all six components has a legacy DXY row, and every legacy row its
          components.
        </p>
      ) : (
        <>
          <p className="mt-1 text-slate-700">
            {formatCount(holes.completeWithoutLegacy)} minutes with all six components but no legacy DXY (the old
            derivation never fired); {formatCount(holes.legacyWithoutComponents)} legacy minutes whose component bars
            are gone (the copy keeps them, regeneration cannot). They predate the migration; no phase fails for them.
          </p>
          <div className="mt-2 overflow-x-auto">
            <table className="text-sm" aria-label="Days with holes">
              <thead>
                <tr className="text-left text-xs text-slate-500">
                  <th className="pr-4 font-medium">UTC day</th>
                  <th className="pr-4 font-medium">components, no legacy</th>
                  <th className="font-medium">legacy, components gone</th>
                </tr>
              </thead>
              <tbody>
                {holes.days.map((day) => (
                  <tr key={day.day} className="border-t border-slate-100">
                    <td className="pr-4 font-mono whitespace-nowrap">{day.day}</td>
                    <td className="pr-4 text-right font-mono">{formatCount(day.completeWithoutLegacy)}</td>
                    <td className="text-right font-mono">{formatCount(day.legacyWithoutComponents)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
