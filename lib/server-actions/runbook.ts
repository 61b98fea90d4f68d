'use server';

import { runServerAction } from '@/lib/auth/run-server-action';
import { requestAbandonMigrationRun } from '@/lib/runbook/actions/abandon-migration-run';
import { approveRequest, rejectRequest } from '@/lib/runbook/actions/decide-approval';
import { pausePhaseRun, resumePhaseRun } from '@/lib/runbook/actions/pause-resume';
import { startPhaseRun } from '@/lib/runbook/actions/start-phase-run';

export async function startPhaseRunAction(input: unknown) {
  return runServerAction(startPhaseRun, input);
}

export async function pausePhaseRunAction(input: unknown) {
  return runServerAction(pausePhaseRun, input);
}

export async function resumePhaseRunAction(input: unknown) {
  return runServerAction(resumePhaseRun, input);
}

export async function approveRequestAction(input: unknown) {
  return runServerAction(approveRequest, input);
}

export async function rejectRequestAction(input: unknown) {
  return runServerAction(rejectRequest, input);
}

export async function requestAbandonMigrationRunAction(input: unknown) {
  return runServerAction(requestAbandonMigrationRun, input);
}
