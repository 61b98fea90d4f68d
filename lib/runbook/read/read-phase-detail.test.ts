import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MIDWEEK_NOW } from '../../../test-support/test-world';
import { useTestWorld } from '../../../test-support/world-database';
import { aggregate1mTo5mWindowSql } from '../../market/pipeline/aggregator-sql';
import { planAggregatorReplacement } from '../phases/5-switch/aggregator-function';
import { readPhaseDetail } from './read-phase-detail';

describe('the phase 5 page', () => {
  const test = useTestWorld({ variant: 'production', now: MIDWEEK_NOW, days: 1 });

  beforeAll(async () => {
    // A sequence is not rolled back with the trial's transaction, so it counts the trials.
    await test.database.sql`create sequence public.aggregator_trials`;
    const file = join(tmpdir(), `aggregator-${process.pid}-counted.sql`);
    writeFileSync(
      file,
      `SELECT nextval('public.aggregator_trials');\n${aggregate1mTo5mWindowSql('production', 'data_bars_only')}`,
    );
    vi.stubEnv('CUTOVER_AGGREGATOR_5M_SQL_FILE', file);
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
  });

  const trials = async () => {
    const [row] = await test.database.sql<{ n: number }[]>`
      select case when is_called then last_value else 0 end as n from public.aggregator_trials`;
    return row?.n ?? 0;
  };

  it('tries the aggregator replacement once, and its preconditions and preview show that one plan', async () => {
    const detail = await readPhaseDetail(test.database, { phaseId: '5' });
    expect(await trials()).toBe(1);
    const understood = detail.preconditions.find((c) => c.name === 'The aggregator the workers call is understood');
    expect(understood?.passed).toBe(true);
    expect(understood?.detail).toContain('CUTOVER_AGGREGATOR_5M_SQL_FILE');
    expect(detail.preview.summary.join('\n')).toContain('CUTOVER_AGGREGATOR_5M_SQL_FILE');
    expect(detail.preview.sql.join('\n')).toContain('aggregator_trials');
  });

  it('plans afresh on each call outside a page', async () => {
    const before = await trials();
    const [first, second] = await Promise.all([
      planAggregatorReplacement(test.database.sql),
      planAggregatorReplacement(test.database.sql),
    ]);
    expect(first).not.toBe(second);
    expect(await trials()).toBe(before + 2);
  });
});
