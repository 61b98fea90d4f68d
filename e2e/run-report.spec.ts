import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Page } from '@playwright/test';
import { LoginPage } from './pages/login-page';
import { PhasePage } from './pages/phase-page';
import { TokensPage } from './pages/tokens-page';
import { ValidatePage } from './pages/validate-page';
import { e2eDatabase } from './support/database';
import { demoUser } from './support/demo-users';
import { expect, test } from './support/fixtures';

test.describe.configure({ mode: 'serial' });

/** Pages of a PDF: its page objects (`/Type /Page`, not the `/Type /Pages` tree). */
function pdfPageCount(pdf: Buffer): number {
  return pdf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g)?.length ?? 0;
}

async function printA4(page: Page): Promise<Buffer> {
  return page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
}

/** The latest migration run; when the e2e world has none yet, an operator runs phase 1 to make one. */
async function migrationRunId(page: Page): Promise<number> {
  const latest = async () => {
    const [row] = await e2eDatabase()<{ id: number }[]>`select id from cutover.migration_runs order by id desc limit 1`;
    return row?.id ?? null;
  };
  const existing = await latest();
  if (existing !== null) return existing;
  await new LoginPage(page).signInAs('operator');
  const phase = new PhasePage(page);
  // Phase 1 needs a GO from the last 24 hours: the dry run first, from its page.
  await new ValidatePage(page).validate();
  await phase.goto('1');
  await phase.start(phase.runButton('1'));
  await phase.expectLatest('succeeded', 240_000);
  await page.context().clearCookies();
  return (await latest()) as number;
}

test('the migration report opens from the overview and prints to clean A4 pages', async ({ page }) => {
  test.setTimeout(300_000);
  const runId = await migrationRunId(page);
  await new LoginPage(page).signInAs('viewer');
  await page.getByRole('link', { name: `Migration report of run #${runId}` }).click();
  await expect(page).toHaveURL(new RegExp(`/runs/${runId}/report$`));
  const report = page.getByTestId('run-report');
  await expect(report.getByRole('heading', { level: 1 })).toHaveText(`DXY cutover — migration run #${runId}`);
  const phases = await e2eDatabase()<{ id: number; phase: string }[]>`
    select id::int as id, phase from cutover.phase_runs where migration_run_id = ${runId} order by id`;
  expect(phases.length).toBeGreaterThan(0);
  // A row per phase run (phase 8's window, once open, has a row of its own without a run).
  await expect(page.getByTestId('report-phase-table').locator('tbody tr[data-run-id]')).toHaveCount(phases.length);
  for (const run of phases) await expect(page.getByTestId(`report-phase-run-${run.id}`)).toBeVisible();
  await expect(page.getByTestId('report-audit-chain')).toContainText('Audit chain intact');

  // Printed, the console's header is gone and only the report remains.
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('header:not(.run-report *)')).toBeHidden();
  // The appendix of raw evidence stays closed: the paper holds page one and the phases in sentences,
  // written for people — no JSON outside the appendix.
  await expect(page.getByTestId('report-appendix')).not.toHaveAttribute('open');
  const body = await report.evaluate((article) => {
    const clone = article.cloneNode(true) as HTMLElement;
    for (const hidden of clone.querySelectorAll('style, details.appendix > :not(summary)')) hidden.remove();
    return clone.textContent ?? '';
  });
  expect(body).not.toMatch(/\{\s*"|"\s*:/);
  const pdf = await printA4(page);
  expect(pdfPageCount(pdf)).toBeGreaterThan(1);
  expect(pdfPageCount(pdf)).toBeLessThanOrEqual(6);
  await test.info().attach('run-report.pdf', { body: pdf, contentType: 'application/pdf' });
});

test("the CLI's self-contained HTML file prints the same report", async ({ page, baseURL }) => {
  const runId = await migrationRunId(page);
  // The CLI acts with a viewer's personal API token, over HTTP: no database credentials.
  await new LoginPage(page).signInAs('viewer');
  const tokens = new TokensPage(page);
  await tokens.goto();
  const token = await tokens.create('report printing', demoUser('viewer').password);
  await page.context().clearCookies();
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'scripts/cutover.ts', 'report', String(runId)],
    {
      env: { ...process.env, DATABASE_URL: '', CUTOVER_URL: baseURL as string, CUTOVER_TOKEN: token },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  expect(stdout.startsWith('<!doctype html>')).toBe(true);
  // No network: every request the file makes would be a missing resource.
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.setContent(stdout, { waitUntil: 'load' });
  expect(requests).toEqual([]);
  await expect(page.getByTestId('run-report').getByRole('heading', { level: 1 })).toHaveText(
    `DXY cutover — migration run #${runId}`,
  );
  const pdf = await printA4(page);
  expect(pdfPageCount(pdf)).toBeGreaterThan(1);
});
