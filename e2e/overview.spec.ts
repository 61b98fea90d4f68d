import { LoginPage } from './pages/login-page';
import { COUNT_KEYS, OverviewPage } from './pages/overview-page';
import { e2eDatabase, latestAudit } from './support/database';
import { expect, test } from './support/fixtures';

async function databaseCounts() {
  const [row] = await e2eDatabase()<Record<string, number>[]>`
    select
      (select count(*)::int from public.data_bars where canonical_symbol = 'DXY' and timeframe = '1m') as "dataBars1m",
      (select count(*)::int from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is null) as "derivedActive1m",
      (select count(*)::int from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is not null) as "derivedSoftDeleted1m",
      (select count(*)::int from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '5m' and deleted_at is null) as "derived5m",
      (select count(*)::int from public.derived_data_bars where canonical_symbol = 'DXY' and timeframe = '1h' and deleted_at is null) as "derived1h"`;
  return row as Record<string, number>;
}

test.describe('overview', () => {
  test('shows the same DXY counts as the database, live', async ({ page }) => {
    await new LoginPage(page).signInAs('viewer');
    const overview = new OverviewPage(page);
    const initial = await overview.count('derivedActive1m');
    expect(initial).toBeGreaterThan(3000);
    // The simulated workers keep writing; the page polls. Both must meet at some moment.
    await expect(async () => {
      const expected = await databaseCounts();
      const shown = Object.fromEntries(
        await Promise.all(COUNT_KEYS.map(async (key) => [key, await overview.count(key)])),
      );
      expect(shown).toEqual(expected);
    }).toPass({ timeout: 30_000, intervals: [500] });
    // And the legacy count grows as the tick-factory derives new minutes.
    await expect.poll(() => overview.count('derivedActive1m'), { timeout: 30_000 }).toBeGreaterThan(initial);
    for (const step of ['1', '5', '9', 'rollback']) await expect(overview.planRow(step)).toBeVisible();
    await expect(page.getByTestId('worker-mode')).toHaveText('legacy');
  });

  test('a viewer sees no operator controls, and a direct call of the operator action is refused and audited', async ({
    browser,
  }) => {
    // Capture the operator's real server-action request…
    const operatorContext = await browser.newContext();
    const operatorPage = await operatorContext.newPage();
    await new LoginPage(operatorPage).signInAs('operator');
    const operatorOverview = new OverviewPage(operatorPage);
    const requestPromise = operatorPage.waitForRequest(
      (req) => req.method() === 'POST' && Boolean(req.headers()['next-action']),
    );
    await operatorOverview.stopWorkersButton().click();
    const captured = await requestPromise;
    await expect(operatorOverview.resumeWorkersButton()).toBeVisible();
    await operatorOverview.resumeWorkersButton().click();
    await expect(operatorOverview.stopWorkersButton()).toBeVisible();

    // …then replay it with a viewer's session.
    const viewerContext = await browser.newContext();
    const viewerPage = await viewerContext.newPage();
    await new LoginPage(viewerPage).signInAs('viewer');
    const viewerOverview = new OverviewPage(viewerPage);
    await expect(viewerPage.getByRole('heading', { name: 'Workers' })).toBeVisible();
    await expect(viewerOverview.stopWorkersButton()).toHaveCount(0);
    await expect(viewerOverview.resumeWorkersButton()).toHaveCount(0);

    const response = await viewerPage.request.post('/', {
      headers: {
        'next-action': captured.headers()['next-action'] as string,
        'content-type': captured.headers()['content-type'] ?? 'text/plain;charset=UTF-8',
        accept: 'text/x-component',
        origin: new URL(captured.url()).origin,
      },
      data: captured.postData() ?? '[]',
    });
    expect(response.status()).toBe(200);
    expect(await response.text()).toContain('refused');
    const audit = await latestAudit({ action: 'rehearsal.set_workers_paused', username: 'viewer' });
    expect(audit?.outcome).toBe('refused');
    const [state] = await e2eDatabase()<
      { paused: boolean }[]
    >`select paused from cutover.rehearsal_workers where id = 1`;
    expect(state?.paused).toBe(false);

    // The same request from another origin, with the operator's own session (CSRF): refused, nothing changes.
    const crossOrigin = await operatorPage.request.post('/', {
      headers: {
        'next-action': captured.headers()['next-action'] as string,
        'content-type': captured.headers()['content-type'] ?? 'text/plain;charset=UTF-8',
        accept: 'text/x-component',
        origin: 'http://evil.example',
      },
      data: captured.postData() ?? '[]',
    });
    expect(crossOrigin.status()).toBeGreaterThanOrEqual(400);
    const [after] = await e2eDatabase()<
      { paused: boolean }[]
    >`select paused from cutover.rehearsal_workers where id = 1`;
    expect(after?.paused).toBe(false);
    await operatorContext.close();
    await viewerContext.close();
  });
});
