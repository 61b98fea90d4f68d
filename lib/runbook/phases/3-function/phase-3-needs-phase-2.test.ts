/**
 * Phase 3 starts only after phase 2 or its fix succeeded. The step's runs come from the registry phase 3 hands
 * its precondition (lib/runbook/engine/preconditions.ts takes it as a parameter, never imports the plan's: a circle).
 */
import { describe, expect, it } from 'vitest';
import { MIDWEEK_NOW } from '../../../../test-support/test-world';
import { useTestWorld } from '../../../../test-support/world-database';
import { phase3CreateFunction } from './phase-3-create-function';

const CHECK = 'Phase 2 (or its fix) succeeded';

describe('phase 3 after phase 2', () => {
  const test = useTestWorld({ variant: 'plan', now: MIDWEEK_NOW }, { through: [] });

  async function phase2Check(migrationRunId: number) {
    const { database, driver } = test;
    const checks = await phase3CreateFunction.preconditions({
      database,
      clock: driver.clock,
      config: driver.config,
      migrationRunId,
    });
    return checks.find((c) => c.name === CHECK);
  }

  it('fails naming phase 2 and its fix until one succeeded, then passes naming the fix run', async () => {
    const phase1 = await test.driver.run('1');
    expect(phase1.status).toBe('succeeded');
    expect(await phase2Check(phase1.migrationRunId)).toEqual({
      name: CHECK,
      passed: false,
      detail: 'Phase 2 or Phase 2 · Apply fix: none has succeeded',
    });

    const fix = await test.driver.run('2-fix');
    expect(fix.status).toBe('succeeded');
    const check = await phase2Check(phase1.migrationRunId);
    expect(check?.passed).toBe(true);
    expect(check?.detail).toMatch(new RegExp(`^run #${fix.id} \\(Phase 2 · Apply fix\\) by `));
  });
});
