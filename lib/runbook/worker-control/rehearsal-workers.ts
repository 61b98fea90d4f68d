/** Worker control of the rehearsal world: the simulated workers read their mode from the database. */
import type { SqlOrTx } from '../../db/connection';
import {
  readRehearsalWorkers,
  resumeRehearsalWorkers,
  setRehearsalWorkersMode,
} from '../../db/tables/rehearsal-workers';
import { floorToMinute } from '../../market/market-hours';
import type { WorkerControl, WorkerMode } from './worker-control';

export function rehearsalWorkerControl(sql: SqlOrTx, options: { now: () => Date }): WorkerControl {
  return {
    kind: 'rehearsal',
    async deploy(mode: WorkerMode) {
      await setRehearsalWorkersMode(sql, mode);
      return null;
    },
    async restart() {
      // A restart resumes a stopped simulated tick-factory at the current minute.
      await resumeRehearsalWorkers(sql, { minute: floorToMinute(options.now()) });
      return null;
    },
    async status() {
      const row = await readRehearsalWorkers(sql);
      if (!row) return { mode: null, healthy: false, detail: 'no simulated workers in this database' };
      const healthy = !row.paused && !row.lastError;
      const detail = row.paused
        ? 'tick-factory stopped'
        : row.lastError
          ? `last run failed: ${row.lastError}`
          : `running, last tick ${row.lastTickAt?.toISOString() ?? 'never'}`;
      return { mode: row.mode, healthy, detail };
    },
  };
}
