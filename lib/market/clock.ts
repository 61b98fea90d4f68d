/**
 * The one clock every time-based decision reads (DESIGN §3.1). Production: wall time.
 * Rehearsal: simulated time = anchor_sim + (wall − anchor_wall) × speed, anchored in the
 * database so the console, the runner and the CLI agree. Rehearsal time stands still while no
 * runner is alive (the runner re-anchors at start), so a stopped console does not come back to
 * days of missed simulated market. SQL never reads now() for a decision: callers pass `now()`.
 */
import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/connection';
import { rehearsalClock } from '../db/console-schema';

export interface Clock {
  readonly kind: 'wall' | 'rehearsal' | 'fixed';
  /** Simulated seconds per wall second (1 in production). */
  readonly speed: number;
  now(): Date;
}

export const wallClock: Clock = { kind: 'wall', speed: 1, now: () => new Date() };

export interface FixedClock extends Clock {
  set(at: Date): void;
  advance(ms: number): void;
}

/** A clock tests move by hand. */
export function fixedClock(start: Date): FixedClock {
  let current = start.getTime();
  return {
    kind: 'fixed',
    speed: 1,
    now: () => new Date(current),
    set: (at) => {
      current = at.getTime();
    },
    advance: (ms) => {
      current += ms;
    },
  };
}

interface ClockAnchor {
  anchorWall: Date;
  anchorSim: Date;
  speed: number;
}

export function simulatedTime(anchor: ClockAnchor, wall: Date): Date {
  return new Date(anchor.anchorSim.getTime() + (wall.getTime() - anchor.anchorWall.getTime()) * anchor.speed);
}

function rehearsalClockFrom(anchor: ClockAnchor): Clock {
  return { kind: 'rehearsal', speed: anchor.speed, now: () => simulatedTime(anchor, new Date()) };
}

/** The clock of this database: rehearsal when it holds a rehearsal clock anchor, else wall time. */
export async function loadClock(db: DbOrTx): Promise<Clock> {
  const [row] = await db.select().from(rehearsalClock).where(eq(rehearsalClock.id, 1));
  return row ? rehearsalClockFrom(row) : wallClock;
}

/** Creates the anchor of a new rehearsal world: simulated time starts at `simStart`. */
export async function anchorRehearsalClock(db: DbOrTx, options: { simStart: Date; speed: number }): Promise<void> {
  const wall = new Date();
  const values = { id: 1, anchorWall: wall, anchorSim: options.simStart, speed: options.speed, heartbeatWall: wall };
  await db.insert(rehearsalClock).values(values).onConflictDoUpdate({ target: rehearsalClock.id, set: values });
}

/** How long without a runner heartbeat before rehearsal time is considered to have stood still. */
const HEARTBEAT_STALE_MS = 15_000;

/**
 * Called when a runner starts and on every runner tick: keeps the anchor alive, resumes from
 * where time stood still after an outage, and applies a new REHEARSAL_SPEED.
 */
export async function heartbeatRehearsalClock(db: DbOrTx, options: { speed?: number } = {}): Promise<Clock | null> {
  const [row] = await db.select().from(rehearsalClock).where(eq(rehearsalClock.id, 1));
  if (!row) return null;
  const wall = new Date();
  let anchor: ClockAnchor = row;
  const stale = wall.getTime() - row.heartbeatWall.getTime() > HEARTBEAT_STALE_MS;
  if (stale) anchor = { anchorWall: wall, anchorSim: simulatedTime(row, row.heartbeatWall), speed: row.speed };
  if (options.speed !== undefined && options.speed !== anchor.speed) {
    anchor = { anchorWall: wall, anchorSim: simulatedTime(anchor, wall), speed: options.speed };
  }
  await db
    .update(rehearsalClock)
    .set({ ...anchor, heartbeatWall: wall })
    .where(eq(rehearsalClock.id, 1));
  return rehearsalClockFrom(anchor);
}

/** REHEARSAL_SPEED from the environment, validated (a typo must not silently run at 1×). */
export function rehearsalSpeedFromEnv(env: Record<string, string | undefined> = process.env): number | undefined {
  const raw = env.REHEARSAL_SPEED;
  if (raw === undefined || raw === '') return undefined;
  const speed = Number(raw);
  if (!Number.isFinite(speed) || speed <= 0 || speed > 100_000) {
    throw new Error(`REHEARSAL_SPEED must be a positive number up to 100000 (got "${raw}")`);
  }
  return speed;
}
