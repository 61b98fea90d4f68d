/**
 * The one clock every time-based decision reads. Production: wall time. Rehearsal: simulated
 * time = anchor_sim + (wall − anchor_wall) × speed, anchored in the database so the console, the
 * runner and the CLI agree, and held back so that it never runs more than WORKERS_LEAD_LIMIT_MS
 * ahead of the running simulated tick-factory: a phase must never fail for a lag only the
 * simulation has (at 1200× on two cores the tick-factory cannot keep up). Rehearsal time stands
 * still while no runner is alive (the runner re-anchors at start), so a stopped console does not
 * come back to days of missed simulated market. SQL never reads now() for a decision: callers
 * pass `now()`.
 */
import type { SqlOrTx } from '../db/connection';
import { readRehearsalClock, updateRehearsalClock, writeRehearsalClock } from '../db/tables/rehearsal-clock';
import { readRehearsalWorkers } from '../db/tables/rehearsal-workers';
import { readSetting } from '../settings';

export interface Clock {
  readonly kind: 'wall' | 'rehearsal' | 'fixed';
  /** Simulated seconds per wall second requested (REHEARSAL_SPEED; 1 in production). */
  readonly speed: number;
  /** Rehearsal: simulated seconds per wall second actually achieved lately (≤ speed while the workers lag). */
  readonly effectiveSpeed?: number;
  /** Rehearsal: time is being held at the limit ahead of the simulated tick-factory. */
  readonly heldBack?: boolean;
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

/** How far simulated time may run ahead of the next minute the running tick-factory will produce. */
export const WORKERS_LEAD_LIMIT_MS = 2 * 60_000;
/** Wall time's worth of simulated time the clock may owe while held back (3 runner intervals). */
const MAX_OWED_WALL_MS = 3_000;
/** The time constant of the effective speed's moving average. */
const EFFECTIVE_SPEED_WINDOW_MS = 10_000;

export function simulatedTime(anchor: ClockAnchor, wall: Date): Date {
  return new Date(anchor.anchorSim.getTime() + (wall.getTime() - anchor.anchorWall.getTime()) * anchor.speed);
}

/**
 * Simulated time at `wall`, held at `limit` (never below `floor`, the time already handed out at
 * the last heartbeat, so it never runs backwards).
 */
export function heldSimulatedTime(anchor: ClockAnchor, wall: Date, limit: Date | null, floor: Date | null): Date {
  const free = simulatedTime(anchor, wall).getTime();
  if (!limit) return new Date(free);
  return new Date(Math.min(free, Math.max(limit.getTime(), floor?.getTime() ?? Number.NEGATIVE_INFINITY)));
}

/** The limit the running, unpaused simulated tick-factory sets; null when it is paused or absent. */
async function readWorkersLimit(sql: SqlOrTx): Promise<Date | null> {
  const workers = await readRehearsalWorkers(sql);
  if (!workers || workers.paused) return null;
  return new Date(workers.nextMinute.getTime() + WORKERS_LEAD_LIMIT_MS);
}

function rehearsalClockFrom(
  anchor: ClockAnchor,
  held: { limit: Date | null; floor: Date | null; effectiveSpeed: number; heldBack: boolean },
): Clock {
  return {
    kind: 'rehearsal',
    speed: anchor.speed,
    effectiveSpeed: held.effectiveSpeed,
    heldBack: held.heldBack,
    now: () => heldSimulatedTime(anchor, new Date(), held.limit, held.floor),
  };
}

/** The clock of this database: rehearsal when it holds a rehearsal clock anchor, else wall time. */
export async function loadClock(sql: SqlOrTx): Promise<Clock> {
  const row = await readRehearsalClock(sql);
  if (!row) return wallClock;
  const limit = await readWorkersLimit(sql);
  const wall = new Date();
  return rehearsalClockFrom(row, {
    limit,
    floor: row.heartbeatSim,
    effectiveSpeed: row.effectiveSpeed ?? row.speed,
    heldBack: heldSimulatedTime(row, wall, limit, row.heartbeatSim) < simulatedTime(row, wall),
  });
}

/** Creates the anchor of a new rehearsal world: simulated time starts at `simStart`. */
export async function anchorRehearsalClock(sql: SqlOrTx, options: { simStart: Date; speed: number }): Promise<void> {
  const wall = new Date();
  await writeRehearsalClock(sql, {
    anchorWall: wall,
    anchorSim: options.simStart,
    speed: options.speed,
    heartbeatWall: wall,
    heartbeatSim: options.simStart,
    effectiveSpeed: null,
  });
}

/** How long without a runner heartbeat before rehearsal time is considered to have stood still. */
const HEARTBEAT_STALE_MS = 15_000;

/**
 * Called when a runner starts and on every runner tick: keeps the anchor alive, resumes from
 * where time stood still after an outage, applies a new REHEARSAL_SPEED, holds time back while
 * the simulated tick-factory lags (re-anchoring so that little time is owed once the workers catch
 * up), and measures the effective speed. `heldBack` tells the runner to tick again at once: the
 * workers, not the tick interval, then set the pace.
 */
export async function heartbeatRehearsalClock(sql: SqlOrTx, options: { speed?: number } = {}): Promise<Clock | null> {
  const row = await readRehearsalClock(sql);
  if (!row) return null;
  const limit = await readWorkersLimit(sql);
  const wall = new Date();
  const lastSim = row.heartbeatSim ?? simulatedTime(row, row.heartbeatWall);
  let anchor: ClockAnchor = row;
  const stale = wall.getTime() - row.heartbeatWall.getTime() > HEARTBEAT_STALE_MS;
  if (stale) anchor = { anchorWall: wall, anchorSim: lastSim, speed: row.speed };
  if (options.speed !== undefined && options.speed !== anchor.speed) {
    anchor = { anchorWall: wall, anchorSim: heldSimulatedTime(anchor, wall, limit, lastSim), speed: options.speed };
  }
  const sim = heldSimulatedTime(anchor, wall, limit, lastSim);
  const free = simulatedTime(anchor, wall);
  const heldBack = sim < free;
  // The time owed while held is kept up to a few runner intervals' worth, so a tick interval that
  // overshoots the limit costs nothing, but time the workers could not sustain is dropped.
  const maxOwed = anchor.speed * MAX_OWED_WALL_MS;
  if (free.getTime() - sim.getTime() > maxOwed) {
    anchor = { anchorWall: wall, anchorSim: new Date(sim.getTime() + maxOwed), speed: anchor.speed };
  }
  let effectiveSpeed = row.effectiveSpeed ?? anchor.speed;
  const elapsedWall = wall.getTime() - row.heartbeatWall.getTime();
  if (!stale && elapsedWall > 0) {
    const weight = 1 - Math.exp(-elapsedWall / EFFECTIVE_SPEED_WINDOW_MS);
    effectiveSpeed += weight * ((sim.getTime() - lastSim.getTime()) / elapsedWall - effectiveSpeed);
  }
  await updateRehearsalClock(sql, { ...anchor, heartbeatWall: wall, heartbeatSim: sim, effectiveSpeed });
  return rehearsalClockFrom(anchor, { limit, floor: sim, effectiveSpeed, heldBack });
}

/** REHEARSAL_SPEED from the environment, validated (a typo must not silently run at 1×). */
export function rehearsalSpeedFromEnv(env: Record<string, string | undefined> = process.env): number | undefined {
  return readSetting('REHEARSAL_SPEED', env);
}
