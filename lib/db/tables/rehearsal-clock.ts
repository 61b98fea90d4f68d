/**
 * cutover.rehearsal_clock: the one row (id 1) anchoring the rehearsal world's simulated time.
 * How the time is computed from it lives in lib/market/clock.ts.
 */
import type { SqlOrTx } from '../connection';
import { rehearsalClock } from '../console-schema';
import { columnsOf, rowOf } from './rows';

export type RehearsalClock = typeof rehearsalClock.$inferSelect;

/** Everything of the row but its id. */
export type RehearsalClockValues = Omit<RehearsalClock, 'id'>;

/** The clock's anchor, or null outside a rehearsal world. */
export async function readRehearsalClock(sql: SqlOrTx): Promise<RehearsalClock | null> {
  const [row] = await sql`select ${columnsOf(sql, rehearsalClock)} from cutover.rehearsal_clock where id = 1`;
  return row ? rowOf(rehearsalClock, row) : null;
}

/** Writes the whole anchor, creating the row when there is none. */
export async function writeRehearsalClock(sql: SqlOrTx, values: RehearsalClockValues): Promise<void> {
  await sql`
    insert into cutover.rehearsal_clock (id, anchor_wall, anchor_sim, speed, heartbeat_wall, heartbeat_sim, effective_speed)
    values (1, ${values.anchorWall}, ${values.anchorSim}, ${values.speed}, ${values.heartbeatWall},
            ${values.heartbeatSim}, ${values.effectiveSpeed})
    on conflict (id) do update
       set anchor_wall = excluded.anchor_wall, anchor_sim = excluded.anchor_sim, speed = excluded.speed,
           heartbeat_wall = excluded.heartbeat_wall, heartbeat_sim = excluded.heartbeat_sim,
           effective_speed = excluded.effective_speed`;
}

/** Moves the anchor of an existing clock; a clock deleted meanwhile (a reset) stays deleted. */
export async function updateRehearsalClock(sql: SqlOrTx, values: RehearsalClockValues): Promise<void> {
  await sql`
    update cutover.rehearsal_clock
       set anchor_wall = ${values.anchorWall}, anchor_sim = ${values.anchorSim}, speed = ${values.speed},
           heartbeat_wall = ${values.heartbeatWall}, heartbeat_sim = ${values.heartbeatSim},
           effective_speed = ${values.effectiveSpeed}
     where id = 1`;
}

export async function deleteRehearsalClock(sql: SqlOrTx): Promise<void> {
  await sql`delete from cutover.rehearsal_clock`;
}
