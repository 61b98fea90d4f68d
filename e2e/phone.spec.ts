import { ConsoleShell } from './pages/console-shell';
import { LoginPage } from './pages/login-page';
import { expect, test } from './support/fixtures';

// On call reads the console on a phone: 390 × 844 CSS pixels, touch, the mobile viewport meta honoured.
test.use({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });

test('on a phone the nav is a menu, and the overview, monitor and approvals fit the width', async ({ page }) => {
  await new LoginPage(page).signInAs('approver');
  const shell = new ConsoleShell(page);
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  await expect(page.getByTestId('dxy-sparkline')).toBeVisible();
  await shell.expectNoHorizontalPageScroll();
  await shell.screenshot('phone-overview');

  await shell.openFromMenu('Monitor');
  await expect(page).toHaveURL(/\/monitor$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Monitor');
  // The menu closes once a link is followed, and marks the page it leads to.
  await expect(shell.nav()).toBeHidden();
  await shell.expectNoHorizontalPageScroll();
  await shell.screenshot('phone-monitor');

  await shell.openFromMenu('Approvals');
  await expect(page.getByRole('heading', { name: 'Approvals' })).toBeVisible();
  await shell.expectNoHorizontalPageScroll();
  await shell.menuButton().click();
  await expect(shell.navLink('Approvals')).toHaveAttribute('aria-current', 'page');
  await expect(shell.navLink('Monitor')).not.toHaveAttribute('aria-current', 'page');
  await shell.screenshot('phone-approvals-menu-open');
  await shell.menuButton().click();
  await expect(shell.nav()).toBeHidden();

  // A wide table scrolls inside its card, not the page.
  await page.goto('/audit');
  await expect(page.getByTestId('audit-table')).toBeVisible();
  await shell.expectNoHorizontalPageScroll();
  const scroller = page.getByTestId('audit-table').locator('xpath=..');
  expect(await scroller.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
});
