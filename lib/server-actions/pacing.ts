'use server';

import { runServerAction } from '@/lib/auth/run-server-action';
import { setPacing } from '@/lib/runbook/actions/set-pacing';

/** The phase page's pacing form (components/pacing-form.tsx): docs/operations.md "Pacing". */
export async function setPacingAction(input: unknown) {
  return runServerAction(setPacing, input);
}
