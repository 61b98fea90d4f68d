import type { SqlOrTx } from '../../db/connection';
import { readRehearsalWorkers } from '../../db/tables/rehearsal-workers';
import type { Clock } from '../../market/clock';
import { commandWorkerConfigFromEnv, commandWorkerControl } from './command-workers';
import { rehearsalWorkerControl } from './rehearsal-workers';
import type { WorkerControl } from './worker-control';

const NOT_CONFIGURED =
  'Worker control is not configured: set CUTOVER_WORKER_DEPLOY_CMD (and optionally CUTOVER_WORKER_RESTART_CMD, ' +
  'CUTOVER_WORKER_STATUS_CMD) — see the README, section "Worker control".';

/** The rehearsal world's simulated workers when present, else the configured commands. */
export async function selectWorkerControl(sql: SqlOrTx, clock: Clock): Promise<WorkerControl> {
  if (await readRehearsalWorkers(sql)) return rehearsalWorkerControl(sql, { now: () => clock.now() });
  const config = commandWorkerConfigFromEnv();
  if (config) return commandWorkerControl(config);
  return {
    kind: 'command',
    deploy: async () => {
      throw new Error(NOT_CONFIGURED);
    },
    restart: async () => {
      throw new Error(NOT_CONFIGURED);
    },
    status: async () => ({ mode: null, healthy: false, detail: NOT_CONFIGURED }),
  };
}
