/**
 * Phase ids are the registry's union, not strings: a renamed or mistyped id fails to compile
 * (`npx tsc --noEmit`, part of `npm run lint`, checks this file like any other). Each
 * `@ts-expect-error` below is itself an error if the line under it ever compiles — if `PhaseId`
 * widened back to `string`, tsc would fail here.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type ApprovalKind, findPhase, isPhaseId, PHASE_CATALOG, PHASES, type PhaseId, phaseId } from './index';

describe('phase ids are a union derived from the registry', () => {
  it('accepts the declared ids and refuses others at compile time', () => {
    expectTypeOf<PhaseId>().toEqualTypeOf<
      '1' | '2' | '2-fix' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | 'reconcile' | 'rollback'
    >();
    expectTypeOf<ApprovalKind>().toEqualTypeOf<'soft-delete' | 'reconcile' | 'rollback-delete' | 'abandon'>();
    const widened: string extends PhaseId ? 'widened' : 'union' = 'union';
    expect(widened).toBe('union');

    expect(phaseId('7')).toBe('7');
    expect(findPhase('rollback').id).toBe('rollback');
    expect(PHASE_CATALOG.find('8').executedBy).toBe('monitor');
    // @ts-expect-error: no phase declares the id '77'.
    expect(() => phaseId('77')).not.toThrow();
    // @ts-expect-error: no phase declares 'soft-delete' as its id (it is phase 9's approval kind).
    expect(() => PHASE_CATALOG.find('soft-delete')).toThrow(/Unknown phase/);
    // @ts-expect-error: phase 8 is the monitor's window, not a phase the runner runs.
    expect(() => findPhase('8')).toThrow(/Unknown phase/);
  });

  it('narrows a stored id only through the registry', () => {
    const stored: string = '4';
    // @ts-expect-error: a string read from the database is not a phase id until checked.
    expect(() => PHASES.find(stored)).not.toThrow();
    if (!isPhaseId(stored)) throw new Error('expected a runner phase id');
    expectTypeOf(stored).toEqualTypeOf<Exclude<PhaseId, '8'>>();
    expect(PHASES.find(stored).id).toBe('4');
    expect(isPhaseId('waiver')).toBe(false);
  });

  it('the registry and the union hold the same ids', () => {
    const all: readonly PhaseId[] = PHASE_CATALOG.all.map((p) => p.id);
    expect([...all].sort()).toEqual(['1', '2', '2-fix', '3', '4', '5', '6', '7', '8', '9', 'reconcile', 'rollback']);
  });
});
