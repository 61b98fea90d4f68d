import type { Browser, Page } from '@playwright/test';
import { LoginPage } from './pages/login-page';
import { e2eDatabase, latestAudit } from './support/database';
import { expect, test } from './support/fixtures';

/** A name no earlier run of this spec used (the e2e world is fresh per run, but a retry is not). */
function freshName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}`;
}

async function openUsersPageAsAdmin(page: Page) {
  await new LoginPage(page).signInAs('admin');
  await page.getByRole('link', { name: 'Users' }).click();
  await expect(page.getByRole('heading', { name: 'Users', exact: true })).toBeVisible();
}

/** A second browser, as a different person would use: no cookie of the admin's. */
async function freshPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  return context.newPage();
}

test.describe('users are managed by an admin', () => {
  test('the admin adds a user with a one-time password, who must choose their own before using the console', async ({
    page,
    browser,
  }) => {
    const name = freshName('otp');
    await openUsersPageAsAdmin(page);
    await page.getByLabel('New username').fill(name);
    await page.getByRole('region', { name: 'Add a user' }).getByLabel('operator', { exact: true }).check();
    await page.getByRole('button', { name: 'Add with one-time password' }).click();
    const oneTime = (await page.getByTestId('one-time-password').textContent())?.trim() ?? '';
    expect(oneTime.length).toBeGreaterThanOrEqual(20);
    const row = page.getByTestId(`user-row-${name}`);
    await expect(row).toContainText('must change');
    await expect
      .poll(async () => (await latestAudit({ action: 'users.add_user', username: 'admin' }))?.outcome)
      .toBe('ok');

    const newcomer = await freshPage(browser);
    const login = new LoginPage(newcomer);
    await login.goto();
    await login.signIn(name, oneTime);
    await expect(newcomer).toHaveURL(/\/account\/password$/);
    await expect(newcomer.getByRole('heading', { name: 'Choose your password' })).toBeVisible();
    // Every console page sends them back here until the password is theirs.
    await newcomer.goto('/approvals');
    await expect(newcomer).toHaveURL(/\/account\/password$/);
    // … and the JSON the live pages poll stays closed too.
    const status = await newcomer.request.get('/api/status');
    expect(status.status()).toBe(401);
    expect((await status.json()).error).toMatch(/one-time password/);
    await newcomer.getByLabel('One-time password').fill(oneTime);
    await newcomer.getByLabel('New password (at least 10 characters)').fill(`${name}-own-password`);
    await newcomer.getByLabel('New password again').fill(`${name}-own-password`);
    await newcomer.getByRole('button', { name: 'Set password' }).click();
    await expect(newcomer.getByRole('heading', { name: 'Overview' })).toBeVisible();
    await expect(newcomer.getByTestId('signed-in-user')).toContainText(`${name} (viewer, operator)`);
    // Not an admin: no Users link, and the page says who manages users instead of failing.
    await expect(newcomer.getByRole('link', { name: 'Users' })).toHaveCount(0);
    await newcomer.goto('/users');
    await expect(newcomer.getByTestId('users-admin-only')).toContainText('Only admins manage users');

    await page.reload();
    await expect(page.getByTestId(`user-row-${name}`)).toContainText('own');
    await newcomer.context().close();
  });

  test('an invitation link lets the invited person choose their password, once', async ({ page, browser }) => {
    const name = freshName('inv');
    await openUsersPageAsAdmin(page);
    await page.getByLabel('New username').fill(name);
    await page.getByRole('button', { name: 'Create invitation link' }).click();
    const link = (await page.getByTestId('invitation-link').textContent())?.trim() ?? '';
    expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/);
    await expect(page.getByTestId('invitation-table')).toContainText(name);

    const invited = await freshPage(browser);
    await invited.goto(new URL(link).pathname);
    await expect(invited.getByTestId('invited-username')).toHaveText(name);
    await invited.getByLabel('New password (at least 10 characters)').fill(`${name}-chosen-pw`);
    await invited.getByLabel('New password again').fill(`${name}-chosen-pw-typo`);
    await invited.getByRole('button', { name: `Create account ${name}` }).click();
    await expect(invited.getByTestId('invite-message')).toContainText('The two passwords differ.');
    await invited.getByLabel('New password again').fill(`${name}-chosen-pw`);
    await invited.getByRole('button', { name: `Create account ${name}` }).click();
    await expect(invited).toHaveURL(/\/login$/);
    await new LoginPage(invited).signIn(name, `${name}-chosen-pw`);
    await expect(invited.getByRole('heading', { name: 'Overview' })).toBeVisible();
    await expect(invited.getByTestId('signed-in-user')).toContainText(`${name} (viewer)`);

    // The link is spent.
    await invited.goto(new URL(link).pathname);
    await expect(invited.getByTestId('invite-problem')).toContainText('already used');
    const [audit] = await e2eDatabase()<{ username: string; outcome: string }[]>`
      select username, outcome from cutover.audit_events
       where action = 'users.accept_invitation' and username = ${name} and outcome = 'ok'`;
    expect(audit).toBeTruthy();
    await invited.context().close();
  });

  test('the admin changes roles and disables a user from the table', async ({ page }) => {
    const name = freshName('dis');
    await openUsersPageAsAdmin(page);
    await page.getByLabel('New username').fill(name);
    await page.getByRole('button', { name: 'Add with one-time password' }).click();
    const actions = page.getByTestId(`user-actions-${name}`);
    await actions.getByLabel('approver', { exact: true }).check();
    await actions.getByRole('button', { name: 'Save roles' }).click();
    await expect(page.getByTestId(`user-message-${name}`)).toContainText(`Roles of ${name} saved.`);
    await actions.getByRole('button', { name: 'Disable…' }).click();
    await actions.getByRole('button', { name: `Disable ${name}` }).click();
    await expect(page.getByTestId(`user-row-${name}`)).toContainText('disabled');
    const [row] = await e2eDatabase()<{ roles: string[]; disabled: boolean }[]>`
      select roles, disabled_at is not null as disabled from cutover.users where username = ${name}`;
    expect(row).toEqual({ roles: ['viewer', 'approver'], disabled: true });
    expect((await latestAudit({ action: 'users.disable_user', username: 'admin' }))?.outcome).toBe('ok');
  });
});
