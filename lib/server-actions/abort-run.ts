'use server';

import { runServerAction } from '@/lib/auth/run-server-action';
import { abortPhaseRun } from '@/lib/runbook/actions/abort-phase-run';

/** The phase pages' "Abort" (docs/phases.md "Abort"). */
export async function abortPhaseRunAction(input: unknown) {
  return runServerAction(abortPhaseRun, input);
}
