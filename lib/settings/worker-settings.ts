/**
 * The shell commands that deploy, restart and check the real workers, and what they may see (group `workers` of
 * the settings table).
 */
import { z } from 'zod';
import { declare } from './setting-declaration';
import { optionalText, wholeNumber } from './value-schemas';

export const WORKER_SETTINGS = {
  CUTOVER_WORKER_DEPLOY_CMD: declare({
    group: 'workers',
    schema: optionalText,
    default: null,
    allowed: 'a shell command',
    meaning: 'Deploys tick-factory and aggregator; receives `WORKER_MODE=legacy|dual|final`.',
    example: 'kubectl -n market set env deploy/tick-factory DXY_MODE=$WORKER_MODE',
  }),
  CUTOVER_WORKER_RESTART_CMD: declare({
    group: 'workers',
    schema: optionalText,
    default: null,
    allowed: 'a shell command',
    meaning: 'Restarts the workers (optional).',
  }),
  CUTOVER_WORKER_STATUS_CMD: declare({
    group: 'workers',
    schema: optionalText,
    default: null,
    allowed: 'a shell command',
    meaning: 'Exits 0 when the workers are healthy; may print a line `mode=<mode>` (optional).',
  }),
  CUTOVER_WORKER_TIMEOUT_SECONDS: declare({
    group: 'workers',
    schema: wholeNumber(1, 86_400),
    default: '300',
    allowed: 'a positive whole number of seconds',
    meaning: 'A worker command still running after this long is killed.',
  }),
  CUTOVER_WORKER_ENV: declare({
    group: 'workers',
    schema: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*(\s*,\s*[A-Za-z_][A-Za-z0-9_]*)*$/)
      .transform((value) => value.split(',').map((name) => name.trim()))
      .optional(),
    default: null,
    allowed: 'a comma-separated list of environment variable names',
    meaning:
      'The only variables, besides PATH, HOME and WORKER_MODE, the worker commands see (e.g. KUBECONFIG); nothing else of the console’s environment reaches them.',
    example: 'KUBECONFIG',
  }),
} as const;
