import { DEMO_USERS } from '../lib/auth/demo-users';
import { LoginPage } from './pages/login-page';
import { e2eDatabase } from './support/database';
import { expect, test } from './support/fixtures';

test.describe('sign-in', () => {
  for (const user of DEMO_USERS) {
    test(`${user.username} (${user.roles.join(', ')}) signs in and out`, async ({ page }) => {
      const login = new LoginPage(page);
      await login.signInAs(user.username);
      await expect(page.getByTestId('signed-in-user')).toContainText(user.roles.join(', '));
      await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await expect(page).toHaveURL(/\/login$/);
      await page.goto('/');
      await expect(page).toHaveURL(/\/login$/);
    });
  }

  test('a wrong password shows a generic error that does not say which half was wrong', async ({ page }) => {
    const login = new LoginPage(page);
    await login.goto();
    await login.signIn('operator', 'not-the-password');
    await expect(login.errorMessage()).toHaveText('Sign-in failed: unknown username or wrong password.');
    await login.signIn('no-such-user', 'operator-rehearsal');
    await expect(login.errorMessage()).toHaveText('Sign-in failed: unknown username or wrong password.');
    // A username that is no account's is audited by its length only, never the text typed (lib/auth/login.ts).
    await expect
      .poll(async () => {
        const rows = await e2eDatabase()<{ username: string | null; length: number | null }[]>`
          select username, (inputs->>'usernameLength')::int as length from cutover.audit_events
           where action = 'auth.sign_in' and outcome = 'refused' order by id desc limit 1`;
        return rows[0] ?? null;
      })
      .toEqual({ username: null, length: 'no-such-user'.length });
    await expect(page.getByLabel('Username')).toHaveValue('no-such-user');
    await expect(login.errorMessage()).toHaveText('Sign-in failed: unknown username or wrong password.');
  });

  test('the session cookie is HttpOnly and SameSite=Lax, and a new session id is issued at every sign-in', async ({
    page,
    context,
    baseURL,
  }) => {
    // A session id planted before sign-in (fixation) must not survive it.
    await context.addCookies([{ name: 'cutover_session', value: 'planted-by-attacker', url: baseURL as string }]);
    const login = new LoginPage(page);
    await login.signInAs('viewer');
    const first = (await context.cookies()).find((c) => c.name === 'cutover_session');
    expect(first).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false });
    expect(first?.value).not.toBe('planted-by-attacker');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await login.signInAs('viewer');
    const second = (await context.cookies()).find((c) => c.name === 'cutover_session');
    expect(second?.value).not.toBe(first?.value);
  });

  test('pages and the status API require a session; health does not', async ({ request }) => {
    expect((await request.get('/api/health')).status()).toBe(200);
    expect((await request.get('/api/status')).status()).toBe(401);
    const page = await request.get('/audit', { maxRedirects: 0 });
    expect(page.status()).toBe(307);
    expect(page.headers().location).toMatch(/\/login$/);
  });
});
