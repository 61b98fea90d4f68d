import type { Page } from '@playwright/test';
import { LoginPage } from './pages/login-page';
import { OverviewPage } from './pages/overview-page';
import { e2eDatabase } from './support/database';
import { expect, test } from './support/fixtures';

/** The banner every live page shows when its data stopped being live (components/live-data-status.tsx). */
const banner = (page: Page) => page.getByTestId('live-data-status');
const frame = (page: Page) => page.getByTestId('live-data-frame');

/** Marks the document so that a reload (which would lose the mark) shows up in the assertions. */
async function markDocument(page: Page) {
  await page.evaluate(() => {
    (window as unknown as { e2eNoReload: boolean }).e2eNoReload = true;
  });
}
const stillSameDocument = (page: Page) =>
  page.evaluate(() => (window as unknown as { e2eNoReload?: boolean }).e2eNoReload === true);

test.describe('live pages when polling stops working', () => {
  test('a session ended in another tab: overview and monitor say so without a reload, keep their data and stop polling', async ({
    context,
    page,
  }) => {
    await new LoginPage(page).signInAs('operator');
    const overview = new OverviewPage(page);
    const countBefore = await overview.count('derivedActive1m');
    const monitor = await context.newPage();
    await monitor.goto('/monitor');
    await expect(monitor.getByRole('heading', { level: 1 })).toContainText('Monitor');
    for (const p of [page, monitor]) {
      await expect(banner(p)).toHaveCount(0);
      await expect(frame(p)).toHaveAttribute('data-stale', 'false');
      await markDocument(p);
    }

    // Sign out in a third tab: the server ends the session every tab of this browser shares.
    const other = await context.newPage();
    await other.goto('/');
    await other.getByRole('button', { name: 'Sign out' }).click();
    await expect(other).toHaveURL(/\/login$/);
    await other.close();

    // The overview polls every 5 s, the monitor without an open window every 30 s.
    for (const [p, timeout] of [
      [page, 15_000],
      [monitor, 40_000],
    ] as const) {
      await expect(banner(p)).toHaveAttribute('data-state', 'session-expired', { timeout });
      await expect(banner(p)).toContainText('Your session has expired — sign in again');
      await expect(banner(p).getByRole('link', { name: 'Sign in again' })).toHaveAttribute('href', '/login');
      await expect(frame(p)).toHaveAttribute('data-stale', 'true');
      expect(await stillSameDocument(p)).toBe(true);
    }
    // The data stays on screen, greyed, as it was when the session ended.
    await expect(page.getByTestId('count-derivedActive1m')).toBeVisible();
    expect(await overview.count('derivedActive1m')).toBeGreaterThanOrEqual(countBefore);
    await expect(page).toHaveURL(/\/$/);
    await page.screenshot({ path: 'test-results/screenshots/session-expired-overview.png' });
    await monitor.screenshot({ path: 'test-results/screenshots/session-expired-monitor.png' });

    // Polling has stopped: no status request for three poll intervals.
    const polls: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/api/status') polls.push(request.url());
    });
    await page.waitForTimeout(15_000);
    expect(polls).toEqual([]);

    // "Sign in again" leads to the sign-in page; signing in brings a live page back.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: 'test-results/screenshots/phone-session-expired.png' });
    await page.setViewportSize({ width: 1280, height: 720 });
    await banner(page).getByRole('link', { name: 'Sign in again' }).click();
    await expect(page).toHaveURL(/\/login$/);
    await new LoginPage(page).signInAs('operator');
    await expect(banner(page)).toHaveCount(0);
    await expect(frame(page)).toHaveAttribute('data-stale', 'false');
  });

  test('a server action refused as "Not signed in." raises the same banner and changes nothing', async ({
    context,
    page,
  }) => {
    await new LoginPage(page).signInAs('operator');
    const overview = new OverviewPage(page);
    await expect(overview.stopWorkersButton()).toBeVisible();
    // Hold every poll so that only the action can notice the missing session.
    await page.route('**/api/**', () => {});
    await context.clearCookies();
    await overview.stopWorkersButton().click();
    await expect(banner(page)).toHaveAttribute('data-state', 'session-expired');
    await expect(page.getByTestId('action-message')).toHaveText(
      'Not done: your session has expired. Sign in again, then repeat it.',
    );
    await expect(page).toHaveURL(/\/$/);
    await page.screenshot({ path: 'test-results/screenshots/session-expired-action.png' });
    const [workers] = await e2eDatabase()<
      { paused: boolean }[]
    >`select paused from cutover.rehearsal_workers where id = 1`;
    expect(workers?.paused).toBe(false);
  });

  test('a console that does not answer: "Data as of …", retried with backoff, and live again when it answers', async ({
    page,
  }) => {
    await new LoginPage(page).signInAs('viewer');
    await expect(banner(page)).toHaveCount(0);
    await markDocument(page);
    const aborted: number[] = [];
    await page.route('**/api/**', (route) => {
      aborted.push(Date.now());
      return route.abort('connectionrefused');
    });
    await expect(banner(page)).toHaveAttribute('data-state', 'unreachable', { timeout: 15_000 });
    await expect(banner(page)).toContainText(
      /^Data as of \d\d:\d\d:\d\d UTC — the console is not answering, retrying…/,
    );
    await expect(frame(page)).toHaveAttribute('data-stale', 'true');
    await expect(page.getByTestId('count-derivedActive1m')).toBeVisible();
    await page.screenshot({ path: 'test-results/screenshots/console-not-answering.png' });
    // It keeps trying, further apart each time (1 s, 2 s, 4 s …), rather than giving up or hammering.
    await expect.poll(() => aborted.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(4);
    await page.unroute('**/api/**');
    // The next retry (at most 30 s away) finds the console again.
    await expect(banner(page)).toHaveCount(0, { timeout: 40_000 });
    await expect(frame(page)).toHaveAttribute('data-stale', 'false');
    expect(await stillSameDocument(page)).toBe(true);
  });
});
