import { ConsoleShell } from './pages/console-shell';
import { LoginPage } from './pages/login-page';
import { TokensPage } from './pages/tokens-page';
import { e2eDatabase, latestAudit } from './support/database';
import { demoUser } from './support/demo-users';
import { expect, test } from './support/fixtures';

test('an operator creates a token on the Tokens page; the CLI API takes it until it is revoked', async ({
  page,
  playwright,
  baseURL,
}) => {
  await new LoginPage(page).signInAs('operator');
  await new ConsoleShell(page).navLink('Tokens').click();
  await expect(page).toHaveTitle('Tokens — dxy-cutover');
  const tokens = new TokensPage(page);
  const token = await tokens.create('e2e laptop', demoUser('operator').password, '7 days');
  await expect(page.getByTestId('new-token-hint')).toContainText('shown only this once');
  await expect(tokens.row('e2e laptop')).toContainText(token.slice(0, 12));
  await expect(tokens.row('e2e laptop')).toContainText('never');
  await new ConsoleShell(page).screenshot('desktop-tokens');

  // A client of its own: no cookie of the signed-in page, only the bearer token.
  const cli = await playwright.request.newContext({ baseURL });
  const bearer = { authorization: `Bearer ${token}` };
  const status = await cli.get('/api/cli/status', { headers: bearer });
  expect(status.status()).toBe(200);
  expect(((await status.json()) as { runbook: { steps: unknown[] } }).runbook.steps.length).toBeGreaterThan(0);
  const whoami = await cli.get('/api/cli/whoami', { headers: bearer });
  expect(await whoami.json()).toMatchObject({
    username: 'operator',
    roles: ['operator'],
    token: { name: 'e2e laptop' },
  });
  // The signed-in page's own cookie does not open the CLI API.
  expect((await page.request.get('/api/cli/status')).status()).toBe(401);

  // Shown once: after a reload the page has only the prefix, and the database only the hash.
  await page.reload();
  await expect(page.getByLabel('New token')).toHaveCount(0);
  expect(await page.content()).not.toContain(token);
  await expect(tokens.row('e2e laptop')).not.toContainText('never');
  const stored = await e2eDatabase()`select * from cutover.api_tokens where name = 'e2e laptop'`;
  expect(stored).toHaveLength(1);
  expect(JSON.stringify(stored)).not.toContain(token);
  const created = await latestAudit({ action: 'tokens.create', username: 'operator' });
  expect(created?.outcome).toBe('ok');
  expect(JSON.stringify(created)).not.toContain(token);

  await tokens.revoke('e2e laptop');
  const refused = await cli.get('/api/cli/status', { headers: bearer });
  expect(refused.status()).toBe(401);
  expect(((await refused.json()) as { error: string }).error).toContain('revoked');
  expect((await latestAudit({ action: 'tokens.revoke', username: 'operator' }))?.outcome).toBe('ok');
  await cli.dispose();
});
