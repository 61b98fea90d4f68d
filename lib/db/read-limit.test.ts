/**
 * Viewers cannot load the primary: a viewer's read runs on the read pool (its application_name,
 * its statement timeout), at most K at once with a bounded queue, and beyond that it is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../test-support/world-database';
import { closeReadDatabase } from './connection';
import {
  getViewerReadLimiter,
  ReadLimiter,
  VIEWER_READ_QUEUE,
  VIEWER_READS_IN_FLIGHT,
  ViewerReadBusy,
  withViewerRead,
} from './read-limit';
import { READ_TIMEOUT_MESSAGE, readForViewer, respondForViewer } from './read-refusal';

/** A read that runs until the test lets it finish. */
function heldRead() {
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { finish, work: () => done.then(() => 'read') };
}

/** Resolves once `condition` holds (checked on each turn of the event loop): no fixed sleeps. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

describe('the viewer read limiter', () => {
  it('runs K reads at once, queues up to the queue’s length and refuses the next at once', async () => {
    const limiter = new ReadLimiter({ inFlight: 2, queue: 3, maxWaitMs: 60_000 });
    const held = Array.from({ length: 5 }, heldRead);
    const started: number[] = [];
    const reads = held.map((h, i) =>
      limiter.run(() => {
        started.push(i);
        return h.work();
      }),
    );
    await until(() => started.length === 2);
    expect(limiter.state).toEqual({ running: 2, waiting: 3 });
    await expect(limiter.run(async () => 'one too many')).rejects.toEqual(new ViewerReadBusy('queue full'));
    // A finished read hands its slot to the oldest waiting one.
    held[0]?.finish();
    await until(() => started.length === 3);
    expect(started).toEqual([0, 1, 2]);
    for (const h of held) h.finish();
    expect(await Promise.all(reads)).toEqual(['read', 'read', 'read', 'read', 'read']);
    expect(limiter.state).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses a read that waited longer than its limit, and frees the slot of a read that failed', async () => {
    const limiter = new ReadLimiter({ inFlight: 1, queue: 5, maxWaitMs: 50 });
    const held = heldRead();
    const first = limiter.run(held.work);
    const refused = await limiter.run(async () => 'late').catch((error: unknown) => error);
    expect(refused).toEqual(new ViewerReadBusy('waited too long'));
    expect((refused as ViewerReadBusy).status).toBe(503);
    held.finish();
    await first;
    await expect(limiter.run(() => Promise.reject(new Error('the read failed')))).rejects.toThrow('the read failed');
    expect(limiter.state).toEqual({ running: 0, waiting: 0 });
    expect(await limiter.run(async () => 'after')).toBe('after');
  });

  it('the process-wide limiter runs half the read pool at once, with a bounded queue', () => {
    expect(getViewerReadLimiter().limits).toMatchObject({ inFlight: VIEWER_READS_IN_FLIGHT, queue: VIEWER_READ_QUEUE });
    expect(VIEWER_READS_IN_FLIGHT).toBe(2);
  });
});

describe('a viewer read on the database', () => {
  const test = useTestDatabase();
  const previousUrl = process.env.DATABASE_URL;
  const previousTimeout = process.env.CUTOVER_READ_STATEMENT_TIMEOUT_MS;

  beforeAll(async () => {
    // The process-wide read pool of this test process, on this test's database.
    await closeReadDatabase();
    process.env.DATABASE_URL = test.url;
    process.env.CUTOVER_READ_STATEMENT_TIMEOUT_MS = '1000';
  });

  afterAll(async () => {
    await closeReadDatabase();
    process.env.DATABASE_URL = previousUrl;
    if (previousTimeout === undefined) delete process.env.CUTOVER_READ_STATEMENT_TIMEOUT_MS;
    else process.env.CUTOVER_READ_STATEMENT_TIMEOUT_MS = previousTimeout;
  });

  it('runs on the read pool: application_name dxy-cutover-read, under the read statement timeout', async () => {
    const seen = await withViewerRead(
      async ({ sql }) =>
        (
          await sql<{ name: string; timeout: string; idle: string }[]>`
            select current_setting('application_name') as name, current_setting('statement_timeout') as timeout,
                   current_setting('idle_in_transaction_session_timeout') as idle`
        )[0],
    );
    expect(seen).toEqual({ name: 'dxy-cutover-read', timeout: '1s', idle: '1s' });
  });

  it('a statement that outlasts the read timeout is cancelled, and the viewer is told so', async () => {
    const read = await readForViewer(async ({ sql }) => sql`select pg_sleep(30)`);
    expect(read).toEqual({ ok: false, message: READ_TIMEOUT_MESSAGE });
    // Nothing of it is left running on the database.
    const [left] = await test.database.sql<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity where state = 'active' and query like '%pg_sleep(30)%' and pid <> pg_backend_pid()`;
    expect(left?.n).toBe(0);
  });

  it('an API answers 503 with the reason when the readers are busy, and other errors stay errors', async () => {
    const limiter = new ReadLimiter({ inFlight: 1, queue: 0, maxWaitMs: 1_000 });
    const held = heldRead();
    const first = respondForViewer(async () => new Response(await held.work()), { limiter });
    const busy = await respondForViewer(async () => new Response('never'), { limiter });
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('5');
    expect(((await busy.json()) as { error: string }).error).toMatch(/busy serving other viewers/);
    held.finish();
    expect(await (await first).text()).toBe('read');
    await expect(readForViewer(async ({ sql }) => sql`select * from no_such_table`)).rejects.toThrow(/no_such_table/);
  });
});
