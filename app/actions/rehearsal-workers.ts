'use server';

import { runServerAction } from '@/lib/auth/run-server-action';
import { setRehearsalWorkersPaused } from '@/lib/market/rehearsal/pause-workers-action';

export async function setRehearsalWorkersPausedAction(input: unknown) {
  return runServerAction(setRehearsalWorkersPaused, input);
}
