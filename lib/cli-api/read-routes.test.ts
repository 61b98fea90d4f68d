/**
 * The command line's reads are a viewer's (issue 20, "viewers cannot load the primary"): every GET
 * (status, a phase's preview, a run, the approvals, the reports) runs on the read pool behind the
 * viewer read limit — nothing of it on the actions' pool — and is refused with 503 when the limit
 * is full or a statement outlasts the read timeout.
 */
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderRunReportHtml } from '../../components/report-html';
import { MIDWEEK_NOW } from '../../test-support/test-world';
import { useTestWorld } from '../../test-support/world-database';
import { executeAction } from '../auth/action';
import { createApiToken } from '../auth/api-tokens';
import { createUser } from '../auth/users';
import type { Database } from '../db/connection';
import * as schema from '../db/console-schema';
import { NUMBER_TYPES } from '../db/number-types';
import { ReadLimiter } from '../db/read-limit';
import { READ_TIMEOUT_MESSAGE } from '../db/read-refusal';
import { handleCliApiRequest } from './handle-request';
import { CLI_API_BASE } from './protocol';

/** A pool like connectDatabase's whose raw client (`sql`) records the statements it sends. */
function countedDatabase(url: string, options: { statementTimeoutMs?: number } = {}) {
  const counter = { statements: [] as string[] };
  const connection = options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {};
  const sql = postgres(url, {
    max: 4,
    onnotice: () => {},
    types: NUMBER_TYPES,
    connection,
    debug: (_connection, text) => {
      counter.statements.push(text.replace(/\s+/g, ' ').trim());
    },
  });
  const drizzleClient = postgres(url, { max: 2, onnotice: () => {}, types: NUMBER_TYPES, connection });
  const database: Database = {
    sql,
    db: drizzle(drizzleClient, { schema }),
    close: async () => {
      await Promise.all([sql.end({ timeout: 5 }), drizzleClient.end({ timeout: 5 })]);
    },
  };
  return { database, counter };
}

describe('the command line’s reads', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 1 }, { through: ['1'] });
  let token: string;
  let main: ReturnType<typeof countedDatabase>;
  let readers: ReturnType<typeof countedDatabase>;
  let migrationRunId: number;

  beforeAll(async () => {
    const reader = await createUser(test.database.db, {
      username: 'reader',
      password: 'reader-password',
      roles: ['viewer'],
    });
    // The password is asked again where token creation requires it (and ignored where it does not).
    const created = await executeAction(createApiToken, {
      database: test.database,
      user: { id: reader.id, username: 'reader', roles: ['viewer'], sessionId: 'test-reader' },
      rawInput: { name: 'reader cli', expiresInDays: 1, password: 'reader-password' },
    });
    if (created.status !== 'ok') throw new Error(`token for reader: ${JSON.stringify(created)}`);
    token = created.data.token;
    main = countedDatabase(test.url);
    readers = countedDatabase(test.url, { statementTimeoutMs: 1000 });
    const [run] = await test.database.sql<{ id: number }[]>`select max(id)::int as id from cutover.migration_runs`;
    migrationRunId = run?.id ?? 0;
  });

  afterAll(async () => {
    await main?.database.close();
    await readers?.database.close();
  });

  function get(path: string, limiter = new ReadLimiter({ inFlight: 2, queue: 4, maxWaitMs: 5_000 })) {
    return handleCliApiRequest(
      new Request(`http://127.0.0.1${CLI_API_BASE}/${path}`, { headers: { authorization: `Bearer ${token}` } }),
      {
        database: main.database,
        readDatabase: readers.database,
        readLimiter: limiter,
        renderReportHtml: renderRunReportHtml,
      },
    );
  }

  /** Statements a request sent on each pool. */
  async function measured(path: string): Promise<{ status: number; main: string[]; read: string[] }> {
    const before = { main: main.counter.statements.length, read: readers.counter.statements.length };
    const response = await get(path);
    await response.arrayBuffer();
    return {
      status: response.status,
      main: main.counter.statements.slice(before.main),
      read: readers.counter.statements.slice(before.read),
    };
  }

  it('reads status, previews, runs, approvals and reports on the read pool, none of it on the actions’ pool', async () => {
    // What authenticating the token sends on the actions' pool (whoami reads nothing else): the
    // statements of the token check and its throttle, whichever of them a request happens to need.
    const authentication = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const whoami = await measured('whoami');
      expect(whoami.status).toBe(200);
      expect(whoami.read).toEqual([]);
      for (const text of whoami.main) authentication.add(text);
    }
    const [phaseRun] = await test.database.sql<{ id: number }[]>`select max(id)::int as id from cutover.phase_runs`;
    const paths = [
      'status',
      'phases/3/preview',
      'phases/4/preview',
      'phases/5/preview',
      'phases/rollback/preview',
      'phases/9/preview',
      `runs/${phaseRun?.id}`,
      'approvals',
      'reports',
      `reports/${migrationRunId}`,
      `reports/${migrationRunId}/html`,
    ];
    for (const path of paths) {
      const seen = await measured(path);
      expect({ path, status: seen.status }).toEqual({ path, status: 200 });
      // On the actions' pool, nothing but authentication.
      expect({ path, main: seen.main.filter((text) => !authentication.has(text)) }).toEqual({ path, main: [] });
      expect(seen.read.length, path).toBeGreaterThan(0);
    }
  });

  it('refuses a read with 503 while the viewer read limit is full', async () => {
    const limiter = new ReadLimiter({ inFlight: 1, queue: 0, maxWaitMs: 5_000 });
    let finish: () => void = () => {};
    const holding = limiter.run(() => new Promise<void>((resolve) => (finish = resolve)));
    const refused = await get('status', limiter);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(((await refused.json()) as { error: string }).error).toMatch(/busy serving other viewers/);
    finish();
    await holding;
    expect((await get('status', limiter)).status).toBe(200);
  });

  it('cancels a read that outlasts the read timeout and answers 503 saying so', async () => {
    // A change holds the table the report reads: the read waits on its lock until its statement timeout.
    const holder = await test.database.sql.reserve();
    try {
      await holder`begin`;
      await holder`lock table cutover.migration_runs in access exclusive mode`;
      const response = await get(`reports/${migrationRunId}`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ error: READ_TIMEOUT_MESSAGE });
    } finally {
      await holder`rollback`;
      holder.release();
    }
  });
});
