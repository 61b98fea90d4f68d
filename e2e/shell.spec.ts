import { ConsoleShell } from './pages/console-shell';
import { LoginPage } from './pages/login-page';
import { e2eDatabase } from './support/database';
import { expect, test } from './support/fixtures';

test('every page has its own title, the icons are served, and the nav marks the current page', async ({ page }) => {
  const favicon = await page.request.get('/favicon.ico');
  expect(favicon.status()).toBe(200);
  expect(favicon.headers()['content-type']).toContain('image/');
  expect((await page.request.get('/icon.svg')).status()).toBe(200);
  expect((await page.request.get('/apple-touch-icon.png')).status()).toBe(200);

  await new LoginPage(page).signInAs('operator');
  const shell = new ConsoleShell(page);
  await expect(page).toHaveTitle('Overview — dxy-cutover');
  await expect(page.locator('link[rel="icon"][href^="/favicon.ico"]')).toHaveCount(1);
  await expect(shell.navLink('Overview')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('dxy-sparkline-latest')).toContainText('legacy');
  await shell.screenshot('desktop-overview');

  await page.goto('/phases/4');
  await expect(page).toHaveTitle('Phase 4 · Copy historical data — dxy-cutover');
  await shell.screenshot('desktop-phase-4');
  await expect(shell.navLink('Phases')).toHaveAttribute('aria-current', 'page');
  await expect(shell.navLink('Overview')).not.toHaveAttribute('aria-current', 'page');
  await shell.navLink('Compare').click();
  await expect(page).toHaveTitle('Compare — dxy-cutover');
  await expect(shell.navLink('Compare')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('compare-chart')).toBeVisible();
  await shell.screenshot('desktop-compare');
  await page.goto('/monitor');
  await expect(page).toHaveTitle('Monitor · phase 8 — dxy-cutover');
});

test('an unknown address shows the console’s not-found page, inside the console', async ({ page }) => {
  await new LoginPage(page).signInAs('viewer');
  const shell = new ConsoleShell(page);
  for (const path of ['/no-such-page', '/phases/8', '/phases/42/extra']) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(404);
    await expect(page.getByTestId('not-found')).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
    await expect(shell.nav()).toBeVisible();
    await expect(page).toHaveTitle('Not found — dxy-cutover');
  }
  await shell.screenshot('not-found');
  await page.getByRole('link', { name: 'Back to the overview' }).click();
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
});

test('a page whose server render fails shows the error page with its digest, and recovers', async ({ page }) => {
  await new LoginPage(page).signInAs('approver');
  const shell = new ConsoleShell(page);
  // Only the approvals page (and the actions on it) reads this table: hiding it breaks that page alone.
  await e2eDatabase()`alter table cutover.approvals rename to approvals_hidden_by_e2e`;
  try {
    await page.goto('/approvals');
    await expect(page.getByTestId('error-page')).toBeVisible();
    await expect(page.getByRole('heading', { name: 'This page failed to load' })).toBeVisible();
    await expect(page.getByTestId('error-digest')).toHaveText(/\S+/);
    await expect(page.getByTestId('error-page')).toContainText('server log');
    // In the console's layout: the nav still leads elsewhere.
    await expect(shell.nav()).toBeVisible();
    await shell.screenshot('error-page');
  } finally {
    await e2eDatabase()`alter table cutover.approvals_hidden_by_e2e rename to approvals`;
  }
  await page.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByRole('heading', { name: 'Approvals' })).toBeVisible();
  await expect(page.getByTestId('error-page')).toHaveCount(0);
});
