import { LoginPage } from './pages/login-page';
import { expect, test } from './support/fixtures';

test('the audit page lists events newest first and filters by user, action and outcome', async ({ page }) => {
  const login = new LoginPage(page);
  await login.goto();
  await login.signIn('approver', 'wrong-password-here');
  await expect(login.errorMessage()).toBeVisible();
  await login.signInAs('approver');
  await page.getByRole('link', { name: 'Audit' }).click();
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
  const table = page.getByTestId('audit-table');
  await expect(table.locator('tbody tr').first()).toContainText('auth.sign_in');
  await expect(table.locator('tbody tr').first()).toContainText('approver');

  await page.getByLabel('User').selectOption('approver');
  await page.getByLabel('Outcome').selectOption('refused');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/user=approver/);
  await expect(table.locator('tbody tr')).not.toHaveCount(0);
  for (const row of await table.locator('tbody tr').all()) {
    await expect(row).toContainText('approver');
    await expect(row).toContainText('refused');
  }
});
