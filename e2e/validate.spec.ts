import { ConsoleShell } from './pages/console-shell';
import { LoginPage } from './pages/login-page';
import { ValidatePage } from './pages/validate-page';
import { expect, test } from './support/fixtures';

test('an operator validates from the nav: GO, each item with its reason; a viewer cannot validate', async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  await new LoginPage(page).signInAs('operator');
  await page.goto('/');
  await new ConsoleShell(page).navLink('Validate').click();
  const validate = new ValidatePage(page);
  await validate.validate('GO');
  const items = page.getByRole('region', { name: 'Items' });
  await expect(items.getByRole('table', { name: 'Write trials (each rolled back)' })).toContainText(
    'Phase 4 · copy of legacy minutes',
  );
  await expect(items.getByRole('table', { name: 'Environment' })).toContainText('Worker role exists');
  await expect(page.getByText('Phase 1: may start')).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/validate.png', fullPage: true });

  const context = await browser.newContext();
  const viewer = await context.newPage();
  await new LoginPage(viewer).signInAs('viewer');
  await new ValidatePage(viewer).goto();
  await expect(viewer.getByRole('button', { name: 'Validate now' })).toBeDisabled();
  await context.close();
});
