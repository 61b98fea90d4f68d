import { defineConfig } from '@playwright/test';
import { e2eChromiumPath } from './scripts/browser/browser-record';

// `npm run test:e2e` first runs scripts/find-browser.ts, which finds or obtains a Chromium and records it.
const executablePath = e2eChromiumPath();
const LONG_SPECS = ['window-and-soft-delete.spec.ts', 'runbook.spec.ts'];

export default defineConfig({
  testDir: 'e2e',
  // Each spec file runs in a world of its own (e2e/support/fixtures.ts), so two files can run at once:
  // two consoles, two browsers. The tests of a file still run one after another, in their file's world.
  fullyParallel: false,
  workers: 2,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  // The two longest specs first (a worker each), so that the short ones fill in beside them instead
  // of one long spec starting last. `--shuffle` (docs/testing.md) schedules all of them at random.
  projects: [
    { name: 'long', testMatch: LONG_SPECS },
    { name: 'short', testIgnore: LONG_SPECS },
  ],
  // No shared web server: every spec file starts a console of its own on a world of its own
  // (e2e/support/fixtures.ts), in one PostgreSQL cluster this global set-up starts.
  globalSetup: './e2e/support/global-setup.ts',
});
