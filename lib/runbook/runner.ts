/**
 * The runner (DESIGN §3.1): the loop that advances the rehearsal clock's heartbeat and drives
 * the simulated workers (and, with the runbook, phase runs and hourly snapshots). It runs inside
 * the Next.js server (instrumentation hook) and alone with `npm run runner`; every piece of
 * state it touches lives in the database, so several runners can coexist.
 */
import type { Database } from '../db/connection';
import { heartbeatRehearsalClock } from '../market/clock';
import { tickSimulatedWorkers } from '../market/rehearsal/simulated-workers';

export interface RunnerHandle {
  stop(): Promise<void>;
}

export interface RunnerOptions {
  intervalMs?: number;
  speed?: number;
  log?: (line: string) => void;
}

export function startRunner(database: Database, options: RunnerOptions = {}): RunnerHandle {
  const intervalMs = options.intervalMs ?? 1000;
  const log = options.log ?? ((line: string) => console.log(`[runner] ${line}`));
  let stopped = false;
  let lastLoggedError = '';
  let wake: (() => void) | null = null;

  const loop = (async () => {
    while (!stopped) {
      try {
        await runnerTick(database, { speed: options.speed });
        lastLoggedError = '';
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        // One line per distinct error, not one per second.
        if (message !== lastLoggedError) log(`tick failed: ${message}`);
        lastLoggedError = message;
      }
      if (stopped) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, intervalMs);
      });
    }
  })();

  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}

export async function runnerTick(database: Database, options: { speed?: number } = {}): Promise<void> {
  const clock = await heartbeatRehearsalClock(database.db, { speed: options.speed });
  if (clock) await tickSimulatedWorkers(database.sql, { now: clock.now() });
}
