import type { MonitorStateJson } from '../lib/client/wire-types';
import { hourLabel } from '../lib/monitor/chart-series';
import { ConsoleShell } from './pages/console-shell';
import { LoginPage } from './pages/login-page';
import { PhasePage } from './pages/phase-page';
import { ValidatePage } from './pages/validate-page';
import { e2eDatabase } from './support/database';
import { DEFAULT_WORLD, expect, test } from './support/fixtures';

test.describe.configure({ mode: 'serial' });
// Its own world from Monday morning (DEFAULT_WORLD), at twice the default speed: phases 1–7, the
// 24 open-market hours of the window and phase 9 end by Wednesday, far from Friday's close, and the
// window passes in about a minute and a quarter when the simulated workers keep up (when they lag,
// the rehearsal clock holds back rather than outrun them: lib/market/clock.ts). Phase 4 is not
// paused here (runbook.spec.ts does that): its copy runs in full-size batches, not one small batch a second.
test.use({
  worldOptions: {
    ...DEFAULT_WORLD,
    speed: 1200,
    console: { CUTOVER_COPY_PACED: '0', CUTOVER_COPY_BATCH_ROWS: '20000' },
  },
});

// Three steps of one rehearsal, in order, in the file's one world: each has the 5-minute budget of
// its own, so the window is not squeezed by however long phases 1–7 took.
test('the full rehearsal, 1 of 3: an operator runs phases 1–7 from their pages', async ({ page }) => {
  test.setTimeout(300_000);
  await new LoginPage(page).signInAs('operator');
  const phase = new PhasePage(page);
  // Phase 1 needs a GO from the last 24 hours: the dry run first, from its page.
  await new ValidatePage(page).validate();
  for (const number of ['1', '2', '3', '4', '5', '6', '7']) {
    await phase.goto(number);
    const run = phase.runButton(number);
    if (number === '2' && (await page.getByRole('button', { name: 'Apply fix' }).count()) > 0) {
      await phase.start(phase.button('Apply fix'));
    } else {
      await phase.start(run);
    }
    await phase.expectLatest('succeeded', 120_000);
  }
});

test('the full rehearsal, 2 of 3: the 24-hour window at high speed, and an approver waives its failed hour', async ({
  page,
  browser,
}) => {
  test.setTimeout(300_000);
  await new LoginPage(page).signInAs('operator');
  // The window: 24 hourly snapshots while rehearsal time runs fast.
  await page.goto('/monitor');
  // 24 cells, or more when the window reaches into a weekend and extends to find open-market hours.
  await expect(page.getByTestId('hour-strip').locator('li').nth(23)).toBeVisible();
  // A failed aggregator run in the pipeline's own log, half-way through the window: that hour FAILs,
  // and phase 9 waits until an approver waives it (below, before phase 9 runs in step 3).
  const monitorState = (await (await page.request.get('/api/monitor')).json()) as MonitorStateJson;
  const failHour = monitorState.slots[12];
  expect(failHour?.state).toBe('upcoming');
  const failedAt = new Date(Date.parse(failHour?.hourStart ?? '') + 30 * 60_000);
  await e2eDatabase()`insert into public.ops_runlog (run_id, job_name, trigger, env_name, started_at, finished_at, status, events)
    values (gen_random_uuid(), 'aggregator', 'cron', 'rehearsal', ${failedAt}, ${failedAt}, 'failed',
            ${e2eDatabase().json([{ ts: failedAt.toISOString(), checkpoint: 'error', details: 'e2e: injected failure' }])})`;
  // A FAIL hour is no open-market hour that passed: the window may extend by an hour to find enough.
  await expect(page.getByTestId('countdown')).toHaveText('complete', { timeout: 180_000 });
  const [taken, slots] = ((await page.getByTestId('hours-taken').textContent()) ?? '').split(' / ').map(Number);
  expect(taken).toBe(slots);
  expect(taken).toBeGreaterThanOrEqual(24);
  for (const key of ['freshness', 'bars_1m', 'bars_5m', 'bar_1h', 'parity', 'worker_errors']) {
    await expect(page.getByTestId(`chart-${key}`)).toBeVisible();
  }
  await expect(page.getByTestId('snapshot-table').locator('tbody tr')).toHaveCount(taken ?? 24);
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
  expect(await metrics.text()).toContain(`dxy_cutover_window_hours_taken ${taken}`);

  // Waiver-then-monitor: an approver waives the FAIL hour and its ring appears without a reload — at
  // once, well before the next poll of a complete window (the waiver invalidates the monitor's query).
  const waiverContext = await browser.newContext();
  const waiverPage = await waiverContext.newPage();
  await new LoginPage(waiverPage).signInAs('approver');
  await waiverPage.goto('/monitor');
  const failCell = waiverPage.getByTestId('hour-strip').locator('li', { hasText: /FAIL/ });
  await expect(failCell).toHaveCount(1);
  await expect(failCell).toHaveAccessibleName(new RegExp(`^${hourLabel(failHour?.hourStart ?? '')} UTC: FAIL`));
  await waiverPage.evaluate(() => {
    (globalThis as { e2eNoReload?: boolean }).e2eNoReload = true;
  });
  await waiverPage.getByLabel('Waiver reason').fill('e2e: the injected aggregator failure is understood');
  await waiverPage.getByRole('button', { name: 'Waive' }).click();
  const waivedCell = waiverPage.getByTestId('hour-strip').locator('li', { hasText: 'waived' });
  await expect(waivedCell).toHaveAccessibleName(/, waived by approver$/, { timeout: 5000 });
  await expect(waivedCell).toHaveClass(/ring-2/);
  expect(await waiverPage.evaluate(() => (globalThis as { e2eNoReload?: boolean }).e2eNoReload)).toBe(true);
  await waiverPage.screenshot({ path: 'test-results/screenshots/monitor-waived-hour.png', fullPage: true });
  await waiverContext.close();
});

test('the full rehearsal, 3 of 3: a two-person soft-delete (phase 9), then compare', async ({ page, browser }) => {
  test.setTimeout(300_000);
  await new LoginPage(page).signInAs('operator');
  const phase = new PhasePage(page);
  const shell = new ConsoleShell(page);
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

  // The market is open (a Wednesday): phase 9 proves the legacy writer stopped within minutes.
  await phase.expectLatest('succeeded', 120_000);
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
