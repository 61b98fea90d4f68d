/**
 * Holes in the legacy history that predate the migration (docs/domain.md): minutes with all six
 * component closes but no active legacy DXY row (whole days where the old derivation never fired),
 * and legacy minutes whose component bars were later lost (the copy keeps them; regeneration
 * cannot). Findings for phase 1 and the compare page, never a reason to fail a phase.
 */
import type { SqlOrTx } from '../../../db/connection';
import { DXY_COMPONENTS } from '../../../market/dxy';
import { usableCloseSql } from '../../../market/dxy-sql';

export interface LegacyHoles {
  /** Minutes with six usable (positive, finite) component closes and no active legacy DXY row. */
  completeWithoutLegacy: number;
  /** Active legacy DXY minutes without six usable component closes. */
  legacyWithoutComponents: number;
  /** Per UTC day (YYYY-MM-DD), the days holding either kind. */
  days: { day: string; completeWithoutLegacy: number; legacyWithoutComponents: number }[];
  samples: { completeWithoutLegacy: string[]; legacyWithoutComponents: string[] };
}

/**
 * Over [from, to) on ts_utc. One pass over the component minutes (their unique key orders them),
 * anti-joined with the legacy rows by key. Days are UTC days computed from epoch seconds.
 */
export async function findLegacyHoles(sql: SqlOrTx, range: { from: Date; to: Date }): Promise<LegacyHoles> {
  const rows = await sql<{ kind: 'complete' | 'legacy'; ts_utc: Date }[]>`
    with complete as (
      select c.ts_utc from public.data_bars c
       where c.timeframe = '1m' and c.canonical_symbol in ${sql([...DXY_COMPONENTS])}
         and c.ts_utc >= ${range.from} and c.ts_utc < ${range.to} and ${sql.unsafe(usableCloseSql('c.close'))}
       group by c.ts_utc having count(distinct c.canonical_symbol) = ${DXY_COMPONENTS.length}),
    legacy as (
      select d.ts_utc from public.derived_data_bars d
       where d.canonical_symbol = 'DXY' and d.timeframe = '1m' and d.deleted_at is null
         and d.ts_utc >= ${range.from} and d.ts_utc < ${range.to})
    select 'complete' as kind, c.ts_utc from complete c where not exists (select 1 from legacy l where l.ts_utc = c.ts_utc)
    union all
    select 'legacy', l.ts_utc from legacy l where not exists (select 1 from complete c where c.ts_utc = l.ts_utc)
    order by 2`;
  const days = new Map<string, { day: string; completeWithoutLegacy: number; legacyWithoutComponents: number }>();
  const samples: LegacyHoles['samples'] = { completeWithoutLegacy: [], legacyWithoutComponents: [] };
  let complete = 0;
  let legacy = 0;
  for (const row of rows) {
    const day = row.ts_utc.toISOString().slice(0, 10);
    const entry = days.get(day) ?? { day, completeWithoutLegacy: 0, legacyWithoutComponents: 0 };
    if (row.kind === 'complete') {
      complete += 1;
      entry.completeWithoutLegacy += 1;
      if (samples.completeWithoutLegacy.length < 5) samples.completeWithoutLegacy.push(row.ts_utc.toISOString());
    } else {
      legacy += 1;
      entry.legacyWithoutComponents += 1;
      if (samples.legacyWithoutComponents.length < 5) samples.legacyWithoutComponents.push(row.ts_utc.toISOString());
    }
    days.set(day, entry);
  }
  return { completeWithoutLegacy: complete, legacyWithoutComponents: legacy, days: [...days.values()], samples };
}

export function describeLegacyHoles(holes: LegacyHoles): string {
  if (holes.completeWithoutLegacy === 0 && holes.legacyWithoutComponents === 0)
    return 'none: every complete component minute has a legacy row and every legacy row its components';
  const fullDays = holes.days.filter((d) => d.completeWithoutLegacy >= 600).map((d) => d.day);
  return (
    `${holes.completeWithoutLegacy} minutes with all six components but no legacy DXY` +
    (fullDays.length > 0 ? ` (whole days: ${fullDays.join(', ')})` : '') +
    `; ${holes.legacyWithoutComponents} legacy minutes whose components are gone (the copy keeps them; regeneration cannot)` +
    ' — holes that predate the migration: reported, never failed'
  );
}
