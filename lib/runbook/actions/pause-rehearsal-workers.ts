/**
 * Operator control over the simulated workers (rehearsal only): stopping the tick-factory is
 * how a team rehearses an outage. On resume the workers carry on from the current minute: the
 * minutes of the outage stay missing, as they would after a real ingest outage.
 */
import { z } from 'zod';
import { ActionRefused, defineAction } from '../../auth/action';
import { pauseRehearsalWorkers, readRehearsalWorkers, resumeRehearsalWorkers } from '../../db/tables/rehearsal-workers';
import { loadClock } from '../../market/clock';
import { floorToMinute } from '../../market/market-hours';

export const setRehearsalWorkersPaused = defineAction({
  name: 'rehearsal.set_workers_paused',
  // Not z.coerce.boolean(): it would read the form value "false" as true.
  input: z.object({ paused: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]) }),
  roles: ['operator'],
  async run({ tx, input, database }) {
    const state = await readRehearsalWorkers(tx, { forUpdate: true });
    if (!state) throw new ActionRefused('There are no simulated workers: this database is not a rehearsal world.');
    if (state.paused === input.paused) {
      return { paused: state.paused, changed: false };
    }
    const now = (await loadClock(database.sql)).now();
    if (input.paused) await pauseRehearsalWorkers(tx);
    else await resumeRehearsalWorkers(tx, { minute: floorToMinute(now) });
    return { paused: input.paused, changed: true, at: now.toISOString() };
  },
});
