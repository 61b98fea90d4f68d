import type { Page } from '@playwright/test';
import { LoginPage } from './pages/login-page';
import { e2eDatabase } from './support/database';
import { expect, test } from './support/fixtures';

/**
 * The Content-Security-Policy (proxy.ts) in a real browser: every page's scripts carry the
 * response's nonce, so every page still hydrates, and no page trips the policy (a violation would
 * mean a script, style, image or fetch the console needs is blocked, or something unexpected ran).
 */

const NOT_FOUND_PATH = '/no-such-page';

interface Violation {
  directive: string;
  blocked: string;
  sample: string;
}

/** Records every CSP violation and console error of the page, from before its first script. */
async function watch(page: Page): Promise<{ violations: () => Promise<Violation[]>; errors: string[] }> {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // The 404 status of the deliberately unknown page is the one error the browser reports by design.
    if (new URL(message.location().url || 'about:blank').pathname === NOT_FOUND_PATH && message.text().includes('404'))
      return;
    errors.push(`${message.location().url}: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.addInitScript(() => {
    const seen: Violation[] = [];
    (window as unknown as { __cspViolations: Violation[] }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (event) => {
      seen.push({ directive: event.violatedDirective, blocked: event.blockedURI, sample: event.sample });
    });
  });
  return {
    errors,
    violations: () =>
      page.evaluate(() => (window as unknown as { __cspViolations?: Violation[] }).__cspViolations ?? []),
  };
}

/** True once React has hydrated the page (it marks the DOM nodes it owns). */
function hydrated(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const main = document.querySelector('main');
    return main !== null && Object.keys(main).some((key) => key.startsWith('__reactFiber$'));
  });
}

/** Opens a page, checks its CSP names a nonce that the page's own scripts carry, and that it hydrated. */
async function openAndCheck(page: Page, path: string): Promise<string> {
  const response = await page.goto(path);
  expect(response, path).not.toBeNull();
  const csp = response?.headers()['content-security-policy'] ?? '';
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  expect(nonce, `${path}: CSP ${csp}`).toBeTruthy();
  expect(csp).toContain("'strict-dynamic'");
  expect(csp).toContain("frame-ancestors 'none'");
  const html = (await response?.text()) ?? '';
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  expect(scripts.length, path).toBeGreaterThan(0);
  // Every script tag of the HTML carries this response's nonce; without it the browser would not run it.
  for (const tag of scripts) expect(tag, path).toContain(`nonce="${nonce}"`);
  await expect.poll(() => hydrated(page), { message: `${path} hydrates` }).toBe(true);
  return nonce as string;
}

test.describe('content security policy', () => {
  test('every page hydrates under the nonce policy, without a single violation or console error', async ({ page }) => {
    test.setTimeout(180_000);
    const { violations, errors } = await watch(page);
    const nonces = new Set<string>();
    nonces.add(await openAndCheck(page, '/login'));
    await new LoginPage(page).signInAs('admin');
    const [run] = await e2eDatabase()<{ id: number }[]>`select id from cutover.migration_runs order by id desc limit 1`;
    const paths = [
      '/',
      '/monitor',
      '/compare',
      '/audit',
      '/approvals',
      '/rollback',
      '/validate',
      '/phases/1',
      '/phases/4',
      '/phases/9',
      ...(run ? [`/runs/${run.id}/report`] : []),
      // The console's not-found page renders per request too (a prerendered page could carry no nonce).
      NOT_FOUND_PATH,
    ];
    for (const path of paths) {
      nonces.add(await openAndCheck(page, path));
      // Live pages poll their API routes: give them a few rounds under the policy too.
      await page.waitForTimeout(1500);
      expect(await violations(), path).toEqual([]);
    }
    // A fresh nonce on every response.
    expect(nonces.size).toBe(paths.length + 1);
    // Client-side navigation (scripts loaded by the nonced ones, 'strict-dynamic') works too.
    await page
      .getByRole('navigation', { name: 'Console' })
      .getByRole('link', { name: 'Overview', exact: true })
      .click();
    await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
    expect(await violations()).toEqual([]);
    expect(errors).toEqual([]);
  });

  test('a script the server did not send is refused, and so is eval', async ({ page }) => {
    const { violations } = await watch(page);
    // What an injection into the page would look like: the server's own response, with its CSP
    // header, plus an inline script, an inline event handler, and a script that carries the nonce
    // (as if an attacker had learnt it) but tries eval, which production never allows.
    await page.route('**/login', async (route) => {
      const response = await route.fetch();
      const nonce = /'nonce-([^']+)'/.exec(response.headers()['content-security-policy'] ?? '')?.[1];
      const injected = [
        '<script>window.__injected = true;</script>',
        '<img src="data:," onload="window.__handler = true" alt="">',
        `<script nonce="${nonce}">try { eval('1'); window.__evalRan = true } catch { window.__evalRan = false }</script>`,
      ].join('');
      const body = (await response.text()).replace('</body>', `${injected}</body>`);
      await route.fulfill({ response, body });
    });
    await page.goto('/login');
    await expect.poll(() => page.evaluate(() => (window as { __evalRan?: boolean }).__evalRan)).toBe(false);
    expect(await page.evaluate(() => (window as { __injected?: boolean }).__injected)).toBeUndefined();
    expect(await page.evaluate(() => (window as { __handler?: boolean }).__handler)).toBeUndefined();
    await expect
      .poll(async () => new Set((await violations()).map((v) => v.directive)))
      .toEqual(new Set(['script-src-elem', 'script-src-attr', 'script-src']));
    // The console's own scripts still ran: the sign-in form is hydrated.
    await expect.poll(() => hydrated(page)).toBe(true);
  });

  test('API responses carry the policy and the static headers too', async ({ request }) => {
    const first = await request.get('/api/health');
    const second = await request.get('/api/health');
    const nonceOf = (csp: string | undefined) => /'nonce-([^']+)'/.exec(csp ?? '')?.[1];
    expect(nonceOf(first.headers()['content-security-policy'])).toBeTruthy();
    expect(nonceOf(first.headers()['content-security-policy'])).not.toBe(
      nonceOf(second.headers()['content-security-policy']),
    );
    expect(first.headers()['x-content-type-options']).toBe('nosniff');
    expect(first.headers()['x-frame-options']).toBe('DENY');
    expect(first.headers()['referrer-policy']).toBe('same-origin');
    // Plain http (the e2e console): no HSTS.
    expect(first.headers()['strict-transport-security']).toBeUndefined();
    const anonymous = await request.get('/api/status');
    expect(anonymous.status()).toBe(401);
    expect(await anonymous.json()).toEqual({
      error: 'Your session has expired — sign in again.',
      sessionExpired: true,
    });
  });
});
