/**
 * No preview holds hand-written text inside its SQL (docs/phases.md "Statements and stages"): every
 * statement a preview lists is a text the runner sends as it is — no ellipses, no :named or <angle>
 * placeholders, no prose in comments — with its parameters as $n, each described. Checked on every
 * phase's preview, at the start of the plan and after phases 1–7 (when the rollback and phase 9 have
 * a backup and a migration run to name), with both of the rollback's choices.
 */
import { describe, expect, it } from 'vitest';
import { MIDWEEK_NOW } from '../../../test-support/test-world';
import { useTestWorld } from '../../../test-support/world-database';
import { loadClock } from '../../market/clock';
import { PHASES } from '../phases';
import type { Preview } from './types';

/** The statement with dollar-quoted bodies and string literals blanked: their contents are the function's or data. */
function outsideBodiesAndLiterals(text: string): string {
  return text.replace(/\$(\w*)\$[\s\S]*?\$\1\$/g, '$$$$').replace(/'(?:[^']|'')*'/g, "''");
}

/** What a hand-written preview line looked like before (…, :batch_from, <id>, -- prose). */
function handWritten(text: string): string[] {
  const sql = outsideBodiesAndLiterals(text);
  const found: string[] = [];
  if (sql.includes('…')) found.push('an ellipsis');
  if (/(?<![:\w]):[a-z_]+/i.test(sql)) found.push('a :named placeholder');
  if (/<[a-z_ ]+>/i.test(sql)) found.push('an <angle> placeholder');
  if (/--/.test(sql)) found.push('a comment');
  return found;
}

function parametersUsed(text: string): number {
  const numbers = [...outsideBodiesAndLiterals(text).matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
  return numbers.length === 0 ? 0 : Math.max(...numbers);
}

describe('every preview lists only statements as they are sent', () => {
  const test = useTestWorld({ variant: 'production', now: MIDWEEK_NOW, days: 2, leftovers: true });

  async function previews(): Promise<{ label: string; preview: Preview }[]> {
    const clock = await loadClock(test.database.sql);
    const [migration] = await test.database.sql<{ id: number }[]>`
      select id from cutover.migration_runs where status = 'active'`;
    const context = {
      database: test.database,
      clock,
      config: test.driver.config,
      migrationRunId: migration?.id ?? null,
    };
    const all: { label: string; preview: Preview }[] = [];
    for (const phase of PHASES.all) {
      const choices = phase.options.find((o) => o.name === 'data')?.choices.map((c) => c.value) ?? [undefined];
      for (const data of choices) {
        const options = data ? { data } : {};
        all.push({
          label: `${PHASES.label(phase.id)}${data ? ` (${data})` : ''}`,
          preview: await phase.preview({ ...context, options }),
        });
      }
    }
    return all;
  }

  function expectSentAsTheyAre(all: { label: string; preview: Preview }[]) {
    for (const { label, preview } of all) {
      for (const [index, text] of preview.sql.entries()) {
        expect(handWritten(text), `${label}, statement ${index + 1}: ${text.slice(0, 120)}`).toEqual([]);
        const described = preview.statements?.[index]?.parameters.length ?? 0;
        expect(described, `${label}, statement ${index + 1}: each $n described`).toBe(parametersUsed(text));
      }
      if (preview.statements) expect(preview.statements.map((s) => s.text)).toEqual(preview.sql);
    }
  }

  it('before phase 1', async () => {
    const all = await previews();
    expect(all.map((p) => p.label)).toContain('Rollback (delete)');
    expectSentAsTheyAre(all);
  });

  it('after phases 1–7, when the rollback and phase 9 name a backup and a migration run', async () => {
    await test.driver.runThrough(['1', '2-fix', '3', '4', '5', '6', '7']);
    const all = await previews();
    const rollback = all.find((p) => p.label === 'Rollback (delete)')?.preview;
    // The restore of phase 5's aggregator and the deletes against the backup are listed as they will run.
    expect(rollback?.sql.some((s) => s.startsWith('CREATE OR REPLACE FUNCTION public.aggregate_1m_to_5m_window'))).toBe(
      true,
    );
    expect(
      rollback?.sql.some((s) => /^DELETE FROM public\.data_bars .*cutover\.backup_run\d+_data_bars/s.test(s)),
    ).toBe(true);
    expectSentAsTheyAre(all);
  });
});
