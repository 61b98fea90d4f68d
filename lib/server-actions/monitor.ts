'use server';

import { runServerAction } from '@/lib/auth/run-server-action';
import { waiveFailedHour } from '@/lib/monitor/waive-hour-action';

export async function waiveFailedHourAction(input: unknown) {
  return runServerAction(waiveFailedHour, input);
}
