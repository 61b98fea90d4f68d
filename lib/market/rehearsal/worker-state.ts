/** What the simulated workers read before a tick: the workers' row and the world's pipeline variant. */
import type { SqlOrTx } from '../../db/connection';
import type { WorkerMode } from '../../db/console-schema';
import { readRehearsalWorkers, type WorldIngestion } from '../../db/tables/rehearsal-workers';
import { readRehearsalWorld } from '../../db/tables/rehearsal-world';
import type { PipelineVariant } from '../pipeline/variant';

export interface WorkerState {
  mode: WorkerMode;
  paused: boolean;
  /** The minute the tick-factory's next run is for (it runs at the end of that minute). */
  nextMinute: Date;
  schemaVariant: PipelineVariant;
  ingestion: WorldIngestion;
  secondWriterLastAt: Date | null;
}

/** Null outside a rehearsal world. */
export async function readWorkerState(sql: SqlOrTx): Promise<WorkerState | null> {
  const workers = await readRehearsalWorkers(sql);
  const world = workers && (await readRehearsalWorld(sql));
  if (!workers || !world) return null;
  return {
    mode: workers.mode,
    paused: workers.paused,
    nextMinute: workers.nextMinute,
    schemaVariant: world.schemaVariant,
    ingestion: {
      schedule: workers.ingestion,
      revisionsPerHour: workers.revisionsPerHour,
      secondWriterMinutes: workers.secondWriterMinutes,
    },
    secondWriterLastAt: workers.secondWriterLastAt,
  };
}
