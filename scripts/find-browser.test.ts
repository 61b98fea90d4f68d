import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { afterAll, describe, expect, it } from 'vitest';
import { runScript } from '../test-support/run-script';
import {
  type BrowserSource,
  type FoundBrowser,
  playwrightCachedExecutables,
  RUNNING_AS_ROOT,
  SYSTEM_CHROMIUM,
} from './browser/browser-sources';
import { BrowserNotFoundError, findBrowser, INSTALL_COMMAND } from './browser/find-browser';
import type { Environment } from './browser/run-command';

// The flags playwright.config.ts launches with.
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** What the e2e suite needs of a browser: Playwright launches it and it opens a page. */
async function expectLaunchable(found: FoundBrowser) {
  const browser = await chromium.launch({ executablePath: found.executablePath, args: ARGS });
  try {
    const page = await browser.newPage();
    await page.goto('about:blank');
    expect(page.url()).toBe('about:blank');
    expect(await page.evaluate(() => navigator.userAgent)).toContain('HeadlessChrome');
  } finally {
    await browser.close();
  }
}

const scratch = mkdtempSync(join(tmpdir(), 'find-browser-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A forced run of one source, with a cache directory of its own so that nothing earlier is reused. */
function forced(source: BrowserSource, env: Environment = {}) {
  return findBrowser({
    sources: [source],
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    cacheDir: mkdtempSync(join(scratch, `${source}-`)),
    downloadTimeoutMs: 30_000,
  });
}

const playwrightCached = playwrightCachedExecutables(process.env);

describe('finding a browser for the e2e tests, each source forced', () => {
  it('the npm package: installed on demand into the cache directory, and Playwright drives it', async () => {
    const found = await forced('npm-package');
    expect(found.source).toBe('npm-package');
    expect(found.executablePath.startsWith(scratch)).toBe(true);
    expect(found.version).toMatch(/^Chromium 143\./);
    await expectLaunchable(found);
  }, 600_000);

  it.skipIf(!RUNNING_AS_ROOT || !existsSync('/usr/bin/apt-get'))(
    "the package manager (as root): apt-get installs Debian's chromium",
    async () => {
      const found = await forced('apt');
      expect(found).toMatchObject({ source: 'apt', executablePath: SYSTEM_CHROMIUM });
      await expectLaunchable(found);
    },
    900_000,
  );

  it.skipIf(!existsSync(SYSTEM_CHROMIUM))('the system Chromium', async () => {
    const found = await forced('system');
    expect(found).toMatchObject({ source: 'system', executablePath: SYSTEM_CHROMIUM });
    await expectLaunchable(found);
  });

  it.skipIf(playwrightCached.length === 0)("Playwright's browser cache", async () => {
    const found = await forced('playwright-cache');
    expect(playwrightCached).toContain(found.executablePath);
    await expectLaunchable(found);
  });

  it('PLAYWRIGHT_CHROMIUM_PATH, pointed at whichever browser the finder gets first', async () => {
    const any = await findBrowser({ cacheDir: mkdtempSync(join(scratch, 'any-')) });
    const found = await forced('configured', { PLAYWRIGHT_CHROMIUM_PATH: any.executablePath });
    expect(found).toMatchObject({ source: 'configured', executablePath: any.executablePath });
    await expectLaunchable(found);
  }, 900_000);

  it("Playwright's own download: a launchable browser where its CDN answers, else a bounded failure that says so", async () => {
    try {
      const found = await forced('playwright-download');
      expect(found.source).toBe('playwright-download');
      await expectLaunchable(found);
    } catch (error) {
      expect(error).toBeInstanceOf(BrowserNotFoundError);
      expect((error as BrowserNotFoundError).reasons).toEqual([
        {
          source: 'playwright-download',
          reason: expect.stringMatching(/^Playwright's download (failed|did not finish)/),
        },
      ]);
    }
  }, 120_000);
});

describe('when no browser can be had', () => {
  it('`npm run browser` exits 1 with the one command to run', async () => {
    const result = await runScript('scripts/find-browser.ts', ['--source=none'], { env: {} });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No Chromium for the e2e tests');
    expect(result.stderr).toContain(`\n    ${INSTALL_COMMAND}\n`);
  });

  it('names each source it tried and why it could not be used', async () => {
    const result = await runScript('scripts/find-browser.ts', ['--source=configured,playwright-cache'], {
      env: { PLAYWRIGHT_CHROMIUM_PATH: '/nonexistent/chrome', PLAYWRIGHT_BROWSERS_PATH: join(scratch, 'empty') },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('- configured: /nonexistent/chrome is missing or does not start');
    expect(result.stderr).toContain(`- playwright-cache: no Chromium in ${join(scratch, 'empty')}`);
    expect(result.stderr).toContain(INSTALL_COMMAND);
  });

  it('refuses an unknown source name', async () => {
    const result = await runScript('scripts/find-browser.ts', ['--source=firefox'], { env: {} });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown source firefox');
  });
});
