'use server';

import { runServerAction } from '@/lib/auth/run-server-action';
import { overrideValidation, validatePlan } from '@/lib/runbook/actions/validate';

export async function validatePlanAction(input: unknown) {
  return runServerAction(validatePlan, input);
}

export async function overrideValidationAction(input: unknown) {
  return runServerAction(overrideValidation, input);
}
