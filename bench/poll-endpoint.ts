/**
 * A signed-in client polling URLs in a bounded loop, one request at a time, recording each
 * response time and every failure (non-2xx or network error). Used for the status p95 of the
 * benchmark and the viewers of the load test.
 */
export interface PollReport {
  latenciesMs: number[];
  errors: string[];
}

export interface Poller {
  /** Stops after the request in flight and returns what was recorded. */
  stop(): Promise<PollReport>;
  /** Resolves when a poller given maxRequests has made them all. */
  finished: Promise<PollReport>;
}

export async function fetchTimed(url: string, cookie: string): Promise<{ ms: number; error: string | null }> {
  const started = performance.now();
  try {
    const response = await fetch(url, { headers: { cookie }, redirect: 'manual' });
    await response.arrayBuffer();
    const ms = performance.now() - started;
    return { ms, error: response.ok ? null : `${url}: HTTP ${response.status}` };
  } catch (error) {
    return {
      ms: performance.now() - started,
      error: `${url}: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

export function startPolling(
  urls: readonly string[],
  cookie: string,
  options: { pauseMs?: number; maxRequests?: number } = {},
): Poller {
  const report: PollReport = { latenciesMs: [], errors: [] };
  let stopped = false;
  const loop = (async () => {
    for (let i = 0; !stopped && i < (options.maxRequests ?? Number.POSITIVE_INFINITY); i++) {
      const url = urls[i % urls.length] as string;
      const { ms, error } = await fetchTimed(url, cookie);
      report.latenciesMs.push(ms);
      if (error) report.errors.push(error);
      if (options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return report;
    },
    finished: loop.then(() => report),
  };
}
