/**
 * The browser's data layer without a browser: the shared fetch against a real HTTP server, the query
 * client's retry policy running for real, and which live queries each server action invalidates.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionResult } from '../auth/action';
import {
  describeActionResult,
  isSessionExpiredResult,
  NOT_SIGNED_IN_REASON,
  SESSION_EXPIRED_ACTION_TEXT,
} from './action-feedback';
import { ConsoleUnavailableError, type FetchFunction, fetchConsoleJson, SessionExpiredError } from './console-fetch';
import { livePoll, queryKeys } from './console-queries';
import { formatAsOf, type LiveQuerySnapshot, liveDataState } from './live-data-state';
import { invalidatedBy } from './mutation-invalidations';
import { MAX_RETRY_MS, retryDelayMs, shouldRetry } from './poll-backoff';

/** What the test server answers on each path; `/flaky` fails until `flakyFailuresLeft` reaches 0. */
let flakyFailuresLeft = 0;
const requests: string[] = [];
let server: Server;
let base: string;
let consoleFetch: FetchFunction;

beforeAll(async () => {
  server = createServer((request, response) => {
    const path = request.url ?? '/';
    requests.push(path);
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (path === '/api/ok') return json(200, { counts: 42 });
    if (path === '/api/expired') return json(401, { error: 'Your session has expired.', sessionExpired: true });
    if (path === '/api/plain-401') return json(401, { error: 'Sign in required.' });
    if (path === '/api/down') return json(503, { error: 'database unavailable' });
    if (path === '/api/html') {
      response.writeHead(200, { 'content-type': 'text/html' });
      return response.end('<!doctype html><p>a proxy error page</p>');
    }
    if (path === '/api/redirect-to-login') {
      response.writeHead(307, { location: '/login' });
      return response.end();
    }
    if (path === '/login') {
      response.writeHead(200, { 'content-type': 'text/html' });
      return response.end('<form>sign in</form>');
    }
    if (path === '/api/flaky') {
      if (flakyFailuresLeft > 0) {
        flakyFailuresLeft -= 1;
        return json(502, { error: 'bad gateway' });
      }
      return json(200, { recovered: true });
    }
    return json(404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  consoleFetch = (path, init) => fetch(`${base}${path}`, init);
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('fetchConsoleJson', () => {
  it('returns the JSON of a 200', async () => {
    expect(await fetchConsoleJson('/api/ok', consoleFetch)).toEqual({ counts: 42 });
  });

  it('turns any 401 into a SessionExpiredError, with or without the sessionExpired flag', async () => {
    await expect(fetchConsoleJson('/api/expired', consoleFetch)).rejects.toBeInstanceOf(SessionExpiredError);
    await expect(fetchConsoleJson('/api/plain-401', consoleFetch)).rejects.toBeInstanceOf(SessionExpiredError);
  });

  it('treats being sent to the sign-in page as an expired session', async () => {
    await expect(fetchConsoleJson('/api/redirect-to-login', consoleFetch)).rejects.toBeInstanceOf(SessionExpiredError);
  });

  it('turns a 5xx, a non-JSON body and no answer at all into ConsoleUnavailableError', async () => {
    const down = await fetchConsoleJson('/api/down', consoleFetch).catch((error: unknown) => error);
    expect(down).toBeInstanceOf(ConsoleUnavailableError);
    expect((down as ConsoleUnavailableError).status).toBe(503);
    const html = await fetchConsoleJson('/api/html', consoleFetch).catch((error: unknown) => error);
    expect(html).toBeInstanceOf(ConsoleUnavailableError);
    expect((html as ConsoleUnavailableError).status).toBe(200);
    // A port nobody listens on: the request never gets an answer.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = await fetchConsoleJson('/api/ok', (path, init) =>
      fetch(`http://127.0.0.1:${port}${path}`, init),
    ).catch((error: unknown) => error);
    expect(unreachable).toBeInstanceOf(ConsoleUnavailableError);
    expect((unreachable as ConsoleUnavailableError).status).toBeNull();
    expect((unreachable as Error).message).toBe('GET /api/ok: no answer');
  });
});

describe('retries and backoff', () => {
  it('waits 1, 2, 4, 8, 16 s and then 30 s between attempts, however long the outage', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50, 10_000].map(retryDelayMs)).toEqual([
      1000,
      2000,
      4000,
      8000,
      16_000,
      MAX_RETRY_MS,
      MAX_RETRY_MS,
      MAX_RETRY_MS,
      MAX_RETRY_MS,
    ]);
  });

  it('retries every failure without end except an expired session', () => {
    expect(shouldRetry(1, new ConsoleUnavailableError('/api/status', 503))).toBe(true);
    expect(shouldRetry(10_000, new ConsoleUnavailableError('/api/status', null))).toBe(true);
    expect(shouldRetry(0, new SessionExpiredError('/api/status'))).toBe(false);
  });

  const client = () =>
    new QueryClient({ defaultOptions: { queries: { retry: shouldRetry, retryDelay: retryDelayMs } } });

  it('a query that gets a 401 fails at once, asks no second time, and stops polling', async () => {
    requests.length = 0;
    const queryClient = client();
    const error = await queryClient
      .fetchQuery({ queryKey: ['expired'], queryFn: () => fetchConsoleJson('/api/expired', consoleFetch) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionExpiredError);
    expect(requests).toEqual(['/api/expired']);
    const query = queryClient.getQueryCache().find({ queryKey: ['expired'] });
    expect(query?.state.error).toBeInstanceOf(SessionExpiredError);
    const poll = livePoll<unknown>(() => 5000);
    expect(poll(query as never)).toBe(false);
    queryClient.clear();
  });

  it('a query whose console fails keeps retrying, shows the failure meanwhile, and catches up when it answers', async () => {
    requests.length = 0;
    flakyFailuresLeft = 2;
    const queryClient = client();
    const observer = new QueryObserver(queryClient, {
      queryKey: ['flaky'],
      queryFn: () => fetchConsoleJson<{ recovered: boolean }>('/api/flaky', consoleFetch),
    });
    const reasons: unknown[] = [];
    const done = new Promise<{ recovered: boolean }>((resolve) => {
      const unsubscribe = observer.subscribe((result) => {
        if (result.failureReason) reasons.push(result.failureReason);
        if (result.data) {
          unsubscribe();
          resolve(result.data);
        }
      });
    });
    expect(await done).toEqual({ recovered: true });
    // Two failures (1 s, then 2 s apart), each visible while it was retried, then the answer.
    expect(requests).toEqual(['/api/flaky', '/api/flaky', '/api/flaky']);
    expect(reasons.length).toBeGreaterThanOrEqual(2);
    expect(reasons.every((r) => r instanceof ConsoleUnavailableError)).toBe(true);
    const query = queryClient.getQueryCache().find({ queryKey: ['flaky'] });
    expect(query?.state.fetchFailureReason).toBeNull();
    expect(livePoll<unknown>(() => 5000)(query as never)).toBe(5000);
    queryClient.clear();
  }, 15_000);
});

describe('the live-data banner', () => {
  const live = (over: Partial<LiveQuerySnapshot> = {}): LiveQuerySnapshot => ({
    active: true,
    dataUpdatedAt: Date.parse('2026-12-02T03:12:05Z'),
    error: null,
    fetchFailureReason: null,
    ...over,
  });

  it('is quiet while every query answers', () => {
    expect(liveDataState([live(), live()], false)).toEqual({ kind: 'live' });
  });

  it('says the session expired when any query got a 401, or when a server action said "Not signed in."', () => {
    const asOf = Date.parse('2026-12-02T03:12:05Z');
    expect(liveDataState([live(), live({ error: new SessionExpiredError('/api/monitor') })], false)).toEqual({
      kind: 'session-expired',
      asOf,
    });
    expect(liveDataState([live()], true)).toEqual({ kind: 'session-expired', asOf });
    expect(liveDataState([], true)).toEqual({ kind: 'session-expired', asOf: null });
  });

  it('says how old the data is when the console does not answer, from the oldest failing query', () => {
    const older = Date.parse('2026-12-02T03:10:00Z');
    const state = liveDataState(
      [
        live(),
        live({ dataUpdatedAt: older, fetchFailureReason: new ConsoleUnavailableError('/api/status', null) }),
        live({ fetchFailureReason: new ConsoleUnavailableError('/api/dxy-minutes-per-hour', 503) }),
      ],
      false,
    );
    expect(state).toEqual({ kind: 'unreachable', asOf: older });
    expect(formatAsOf(older)).toBe('03:10:00 UTC');
  });

  it('ignores queries no mounted component uses (left behind by another page)', () => {
    expect(
      liveDataState([live(), live({ active: false, error: new SessionExpiredError('/api/phases/4') })], false),
    ).toEqual({ kind: 'live' });
  });
});

describe('server action results', () => {
  it('"Not signed in." reads as an expired session, other refusals in the server\'s words', () => {
    const notSignedIn: ActionResult<unknown> = { status: 'refused', reason: NOT_SIGNED_IN_REASON };
    expect(isSessionExpiredResult(notSignedIn)).toBe(true);
    expect(describeActionResult(notSignedIn)).toEqual({ tone: 'error', text: SESSION_EXPIRED_ACTION_TEXT });
    const wrongRole: ActionResult<unknown> = {
      status: 'refused',
      reason: 'Requires role approver; omar has operator.',
    };
    expect(isSessionExpiredResult(wrongRole)).toBe(false);
    expect(describeActionResult(wrongRole)).toEqual({ tone: 'error', text: wrongRole.reason });
    expect(
      describeActionResult({ status: 'invalid', fieldErrors: { reason: ['Too short'], confirm: ['Type ROLLBACK'] } }),
    ).toEqual({ tone: 'error', text: 'Too short; Type ROLLBACK' });
    expect(describeActionResult({ status: 'ok', data: null })).toBeNull();
    expect(describeActionResult({ status: 'ok', data: null }, 'Requested.')).toEqual({
      tone: 'ok',
      text: 'Requested.',
    });
  });
});

describe('which live queries each server action invalidates', () => {
  const LIVE_KEYS = [
    queryKeys.status,
    queryKeys.monitor,
    queryKeys.phase('4'),
    queryKeys.phase('9'),
    queryKeys.phase('rollback'),
    queryKeys.dxyMinutesPerHour,
  ];

  /** Seeds every live query with data, invalidates the given keys and lists the ones made stale. */
  async function invalidatedQueries(keys: readonly (readonly unknown[])[]): Promise<string[]> {
    const queryClient = new QueryClient();
    for (const key of LIVE_KEYS) queryClient.setQueryData(key, { seeded: true });
    for (const queryKey of keys) await queryClient.invalidateQueries({ queryKey });
    const stale = queryClient
      .getQueryCache()
      .getAll()
      .filter((q) => q.state.isInvalidated)
      .map((q) => q.queryKey.join('/'));
    queryClient.clear();
    return stale.sort();
  }

  it('a waiver refreshes the monitor (the ring shows without a reload), the overview and phase 9', async () => {
    expect(await invalidatedQueries(invalidatedBy.hourWaiver())).toEqual(['monitor', 'phase/9', 'status']);
  });

  it("a phase's start, pause or resume refreshes that phase and the overview, nothing else", async () => {
    expect(await invalidatedQueries(invalidatedBy.phaseRun('4'))).toEqual(['phase/4', 'status']);
    expect(await invalidatedQueries(invalidatedBy.phaseRun('rollback'))).toEqual(['phase/rollback', 'status']);
  });

  it('an approval decision refreshes every phase, the overview and the monitor', async () => {
    expect(await invalidatedQueries(invalidatedBy.approvalDecision())).toEqual([
      'monitor',
      'phase/4',
      'phase/9',
      'phase/rollback',
      'status',
    ]);
  });

  it('an abandon request refreshes every phase and the overview', async () => {
    expect(await invalidatedQueries(invalidatedBy.abandonRequest())).toEqual([
      'phase/4',
      'phase/9',
      'phase/rollback',
      'status',
    ]);
  });

  it("the simulated workers' switch refreshes the overview and its sparkline", async () => {
    expect(await invalidatedQueries(invalidatedBy.rehearsalWorkers())).toEqual(['dxy-minutes-per-hour', 'status']);
  });

  it('token and user actions refresh no live query (their pages are server-rendered; router.refresh() redraws them)', async () => {
    expect(await invalidatedQueries(invalidatedBy.tokens())).toEqual([]);
    expect(await invalidatedQueries(invalidatedBy.users())).toEqual([]);
  });
});
