/** What proves phase 3: the function exists once, lets errors through, only the workers may call it, and its test passed. */
import type { SqlOrTx } from '../../../db/connection';
import type { Check } from '../../engine/verification';
import { readFunctionFacts } from '../shared/function-inspection';
import { executePrivilegesCheck, readExecutePrivileges } from '../shared/function-privileges';
import { CALC_DXY_RANGE_1M_IDENTITY, missingRoleMessage } from './function-grants';
import type { TestResult } from './try-on-recent-window';

/**
 * What proves phase 3, run twice: inside the creating transaction before it commits (a failing
 * check rolls the function and its grants back) and on the committed state as the verification.
 */
export async function functionChecks(
  sql: SqlOrTx,
  params: { workerRole: string; test: TestResult | undefined },
): Promise<Check[]> {
  const [fn] = await sql<{ secdef: boolean; has_catch_all: boolean }[]>`
    select p.prosecdef as secdef, pg_get_functiondef(p.oid) ~* 'when\\s+others' as has_catch_all
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'public' and p.proname = 'calc_dxy_range_1m'`;
  const overloads = await readFunctionFacts(sql, ['calc_dxy_range_1m']);
  const privileges = fn
    ? await readExecutePrivileges(sql, { signature: CALC_DXY_RANGE_1M_IDENTITY, workerRole: params.workerRole })
    : null;
  const worker = privileges?.roles.find((r) => r.role === params.workerRole);
  const test = params.test;
  const checks: Check[] = [
    {
      name: 'Function exists, exactly once',
      passed: overloads.length === 1,
      detail:
        overloads.length === 1
          ? `${overloads[0]?.signature} → ${overloads[0]?.resultType}`
          : overloads.length === 0
            ? 'not found'
            : `${overloads.length} overloads (${overloads.map((o) => o.signature).join(', ')}): a named call would be ambiguous`,
    },
    {
      name: 'Errors propagate (no WHEN OTHERS)',
      passed: Boolean(fn && !fn.has_catch_all),
      detail: fn?.has_catch_all ? 'catch-all found' : 'no catch-all',
    },
    privileges
      ? executePrivilegesCheck(privileges, params.workerRole)
      : {
          name: `Only the owner and ${params.workerRole} can execute calc_dxy_range_1m`,
          passed: false,
          detail: 'function not found',
        },
    {
      // executePrivilegesCheck passes an absent role by design (phase 5 keeps what was there); here the workers need it.
      name: `The workers (${params.workerRole}) can execute calc_dxy_range_1m`,
      passed: worker?.canExecute === true,
      detail: !privileges
        ? 'function not found'
        : !worker
          ? missingRoleMessage(params.workerRole)
          : worker.canExecute
            ? `${params.workerRole} may execute it (${worker.reason})`
            : `${params.workerRole} may not execute it`,
    },
    {
      name: 'Test minutes match the legacy values',
      passed: Boolean(
        test && test.minutesCompared > 0 && test.legacyMismatches.length === 0 && test.missingInNew.length === 0,
      ),
      detail: test
        ? `${test.minutesCompared} minutes compared, max relative difference ${Number(test.maxRelativeDiffLegacy ?? Number.NaN).toExponential(2)}, ` +
          `${test.legacyMismatches.length} mismatches, ${test.missingInNew.length} legacy minutes not produced`
        : 'no test result',
      evidence: test,
    },
    {
      name: 'Test minutes match the TypeScript formula',
      passed: Boolean(test && test.minutesCompared > 0 && test.formulaMismatches.length === 0),
      detail: test
        ? `max relative difference ${Number(test.maxRelativeDiffFormula ?? Number.NaN).toExponential(2)}`
        : 'no test result',
    },
    {
      name: 'Test left nothing behind',
      passed: Boolean(test?.rolledBack),
      detail: test?.rolledBack ? 'DXY rows in the window are as before the test' : 'test rows persisted',
    },
  ];
  return checks;
}
