/**
 * The browser the finder chose, recorded for Playwright: playwright.config.ts is loaded in every
 * worker process and must not search (or install) again, so it reads this file synchronously.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FoundBrowser } from './browser-sources';
import type { Environment } from './run-command';

export const BROWSER_RECORD_PATH = join('node_modules', '.cache', 'dxy-cutover', 'browser.json');

export function writeBrowserRecord(found: FoundBrowser, path = BROWSER_RECORD_PATH): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(found, null, 2)}\n`);
}

export function readBrowserRecord(path = BROWSER_RECORD_PATH): FoundBrowser | null {
  if (!existsSync(path)) return null;
  try {
    const found = JSON.parse(readFileSync(path, 'utf8')) as FoundBrowser;
    return existsSync(found.executablePath) ? found : null;
  } catch {
    // A half-written or hand-edited record is the same as none: the finder writes a new one.
    return null;
  }
}

/**
 * The executable Playwright launches: the one configured, else the finder's choice, else the system's.
 * Undefined lets Playwright look in its own cache (and name the one command when that is empty too).
 */
export function e2eChromiumPath(env: Environment = process.env): string | undefined {
  if (env.PLAYWRIGHT_CHROMIUM_PATH) return env.PLAYWRIGHT_CHROMIUM_PATH;
  const recorded = readBrowserRecord();
  if (recorded) return recorded.executablePath;
  return existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
}
