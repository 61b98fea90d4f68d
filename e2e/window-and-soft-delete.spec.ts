import { expect, test } from '@playwright/test';
import { ConsoleShell } from './pages/console-shell';
import { LoginPage } from './pages/login-page';
import { PhasePage } from './pages/phase-page';
import { e2eDatabase } from './support/database';

test.describe.configure({ mode: 'serial' });

test('the full rehearsal: phases 1–7, the 24-hour window at high speed, a two-person soft-delete', async ({
  page,
  browser,
}) => {
  test.setTimeout(900_000);
  await new LoginPage(page).signInAs('operator');
  const phase = new PhasePage(page);
  for (const number of ['1', '2', '3', '4', '5', '6', '7']) {
    await phase.goto(number);
    const run = phase.runButton(number);
    if (number === '2' && (await page.getByRole('button', { name: 'Apply fix' }).count()) > 0) {
      await phase.start(phase.button('Apply fix'));
    } else {
      await phase.start(run);
    }
    await phase.expectLatest('succeeded', 240_000);
  }

  // The window: 24 hourly snapshots while rehearsal time runs fast.
  await page.goto('/monitor');
  await expect(page.getByTestId('hour-strip').locator('li')).toHaveCount(24);
  await expect(page.getByTestId('hours-taken')).toHaveText('24 / 24', { timeout: 600_000 });
  await expect(page.getByTestId('countdown')).toHaveText('complete');
  for (const key of ['freshness', 'bars_1m', 'bars_5m', 'bar_1h', 'parity', 'worker_errors']) {
    await expect(page.getByTestId(`chart-${key}`)).toBeVisible();
  }
  await expect(page.getByTestId('snapshot-table').locator('tbody tr')).toHaveCount(24);
  await page.screenshot({ path: 'test-results/screenshots/monitor.png', fullPage: true });
  // On call reads it on a phone: the verdict, the 24 cells and the charts fit 390 px; the table scrolls in its card.
  const shell = new ConsoleShell(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await shell.expectNoHorizontalPageScroll();
  await expect(page.getByTestId('hour-strip').locator('li').first()).toHaveAccessibleName(/UTC: (PASS|WARN|FAIL)/);
  await shell.screenshot('phone-monitor-window');
  await page.setViewportSize({ width: 1280, height: 720 });

  const metrics = await page.request.get('/api/metrics');
  expect(metrics.status()).toBe(200);
  expect(await metrics.text()).toContain('dxy_cutover_window_hours_taken 24');

  // An operator requests phase 9; it waits for a second person.
  await phase.goto('9');
  await phase.start(phase.runButton('9'));
  await expect(phase.latestStatus()).toHaveText('awaiting approval');
  const approverContext = await browser.newContext();
  const approverPage = await approverContext.newPage();
  await new LoginPage(approverPage).signInAs('approver2');
  await approverPage.goto('/approvals');
  await approverPage.getByLabel('Type DXY to confirm').fill('DXY');
  await approverPage.screenshot({ path: 'test-results/screenshots/approvals.png', fullPage: true });
  await approverPage.setViewportSize({ width: 390, height: 844 });
  await new ConsoleShell(approverPage).expectNoHorizontalPageScroll();
  await new ConsoleShell(approverPage).screenshot('phone-approvals-pending');
  await approverPage.getByRole('button', { name: 'Approve' }).click();
  await expect(approverPage.getByText('Nothing is waiting for approval.')).toBeVisible();
  await approverContext.close();

  // If the approval lands near Friday's close, phase 9 waits for Sunday's open to prove the legacy
  // writer stopped (a weekend is 48 simulated hours: up to about 7 minutes at the effective speed).
  await phase.expectLatest('succeeded', 480_000);
  await phase.screenshot('phase-9');
  const [legacy] = await e2eDatabase()<{ active: number; deleted: number }[]>`
    select count(*) filter (where deleted_at is null)::int as active, count(*) filter (where deleted_at is not null)::int as deleted
      from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m'`;
  expect(legacy?.active).toBe(0);
  expect(legacy?.deleted).toBeGreaterThan(3000);

  await page.goto('/compare');
  await expect(page.getByTestId('compare-summary')).toBeVisible();
  await expect(page.getByTestId('compare-day')).toBeVisible();
  await page.getByTestId('compare-day').locator('tbody tr a').first().click();
  await expect(page.getByTestId('compare-hour')).toBeVisible();
  await expect(page.getByTestId('compare-chart')).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/compare.png', fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await shell.expectNoHorizontalPageScroll();
  await shell.screenshot('phone-compare');
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('/');
  await expect(page.getByTestId('worker-mode')).toHaveText('final');
  await page.screenshot({ path: 'test-results/screenshots/overview-after-phase-9.png', fullPage: true });
});
