/**
 * `npm test`'s first step (and `npm run test:e2e`'s): finds a Chromium for Playwright or obtains
 * one, says which, and records it for playwright.config.ts. When none can be had it exits 1 with the
 * one command to run. `--source=apt` (comma-separated, or `none`) forces the sources tried.
 */

import { writeBrowserRecord } from './browser/browser-record';
import { BROWSER_SOURCES, type BrowserSource } from './browser/browser-sources';
import { BrowserNotFoundError, findBrowser } from './browser/find-browser';

function forcedSources(argv: string[]): BrowserSource[] | undefined {
  const flag = argv.find((a) => a.startsWith('--source='));
  if (!flag) return undefined;
  const value = flag.slice('--source='.length);
  if (value === 'none') return [];
  const names = value.split(',').filter(Boolean);
  const unknown = names.filter((n) => !(BROWSER_SOURCES as readonly string[]).includes(n));
  if (unknown.length > 0) {
    console.error(`[browser] unknown source ${unknown.join(', ')}; known: ${BROWSER_SOURCES.join(', ')}, none`);
    process.exit(2);
  }
  return names as BrowserSource[];
}

try {
  const found = await findBrowser({
    sources: forcedSources(process.argv.slice(2)),
    log: (line) => console.log(`[browser] ${line}`),
  });
  writeBrowserRecord(found);
  console.log(`[browser] using ${found.version} from ${found.source} (${found.detail}): ${found.executablePath}`);
} catch (error) {
  if (!(error instanceof BrowserNotFoundError)) throw error;
  console.error(`[browser] ${error.message}`);
  process.exit(1);
}
