/**
 * Viewers cannot load the primary (docs/architecture.md "PostgreSQL"): everything a page view, a
 * poll or a command-line read makes the database do runs through `withViewerRead`, on the small
 * read pool (its own connections, under CUTOVER_READ_STATEMENT_TIMEOUT_MS) and behind a limiter —
 * at most VIEWER_READS_IN_FLIGHT reads at once, at most VIEWER_READ_QUEUE waiting, none waiting
 * longer than a read may run. Beyond that a viewer is refused at once with `ViewerReadBusy`
 * (HTTP 503, or a message on the page) instead of queueing work the primary would do later.
 * Actions and the runner keep the main pool (lib/db/connection.ts getDatabase).
 */
import { readSetting } from '../settings';
import { type Database, getReadDatabase, READ_POOL_SIZE } from './connection';

/**
 * Reads running at once. A read may hold two of the read pool's connections at a time (a compare
 * exports a snapshot to a second one; a preview's rolled-back rehearsal reads beside its
 * transaction), so half the pool: no two reads can wait on each other for a connection.
 */
export const VIEWER_READS_IN_FLIGHT = Math.max(1, Math.floor(READ_POOL_SIZE / 2));
/** Reads waiting for a turn: enough for the load test's twenty viewers polling at once, no more. */
export const VIEWER_READ_QUEUE = 32;

export interface ReadLimits {
  /** Reads running at once. */
  inFlight: number;
  /** Reads waiting; one more is refused. */
  queue: number;
  /** The longest a read waits for its turn before it is refused. */
  maxWaitMs: number;
}

/** The refusal a viewer gets when the readers are busy: the console's 503 and its page message. */
export class ViewerReadBusy extends Error {
  readonly status = 503;
  constructor(readonly reason: 'queue full' | 'waited too long') {
    super(
      reason === 'queue full'
        ? 'The console is busy serving other viewers (every reader slot is taken and the queue is full): try again in a few seconds.'
        : 'The console is busy serving other viewers (no reader slot freed up in time): try again in a few seconds.',
    );
    this.name = 'ViewerReadBusy';
  }
}

interface Waiter {
  grant: () => void;
  timer: ReturnType<typeof setTimeout>;
}

/** A counting semaphore with a bounded, time-limited FIFO queue. */
export class ReadLimiter {
  private running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(readonly limits: ReadLimits) {}

  /** Reads running now, and waiting now (for tests and the metrics). */
  get state(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.running < this.limits.inFlight) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.limits.queue) return Promise.reject(new ViewerReadBusy('queue full'));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        // The slot passes straight from the releasing read to this one: `running` stays counted.
        grant: () => {
          clearTimeout(waiter.timer);
          resolve();
        },
        timer: setTimeout(() => {
          const index = this.waiting.indexOf(waiter);
          if (index >= 0) this.waiting.splice(index, 1);
          reject(new ViewerReadBusy('waited too long'));
        }, this.limits.maxWaitMs),
      };
      this.waiting.push(waiter);
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next.grant();
    else this.running--;
  }
}

const globalForReads = globalThis as unknown as { cutoverViewerReads?: ReadLimiter };

/** The process-wide limiter (survives Next's module reloads in development, like the pools). */
export function getViewerReadLimiter(): ReadLimiter {
  if (!globalForReads.cutoverViewerReads) {
    globalForReads.cutoverViewerReads = new ReadLimiter({
      inFlight: VIEWER_READS_IN_FLIGHT,
      queue: VIEWER_READ_QUEUE,
      // A viewer waits no longer for a turn than a read may run once it has one.
      maxWaitMs: readSetting('CUTOVER_READ_STATEMENT_TIMEOUT_MS'),
    });
  }
  return globalForReads.cutoverViewerReads;
}

/**
 * Runs one viewer-triggered read on the read pool, behind the limiter. Throws ViewerReadBusy when
 * refused, and the database's query_canceled (57014) when a statement outlasts the read timeout:
 * lib/db/read-refusal.ts turns both into the page's message or the API's 503. Never nest it: a read
 * that waits for a second slot while holding one can only be refused.
 */
export function withViewerRead<T>(
  work: (database: Database) => Promise<T>,
  options: { database?: Database; limiter?: ReadLimiter } = {},
): Promise<T> {
  const limiter = options.limiter ?? getViewerReadLimiter();
  return limiter.run(() => work(options.database ?? getReadDatabase()));
}
