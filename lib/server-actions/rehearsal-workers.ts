'use server';

import { runServerAction } from '@/lib/auth/run-server-action';
import { setRehearsalWorkersPaused } from '@/lib/runbook/actions/pause-rehearsal-workers';

export async function setRehearsalWorkersPausedAction(input: unknown) {
  return runServerAction(setRehearsalWorkersPaused, input);
}
