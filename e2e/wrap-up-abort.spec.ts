import { LoginPage } from './pages/login-page';
import { e2eDatabase, latestAudit } from './support/database';
import { expect, test } from './support/fixtures';

/*
 * Abort from a page (docs/phases.md "Abort"). The spec's world is its own (e2e/support/fixtures.ts):
 * it seeds a migration run and, in it, a rollback awaiting an approval (no runner claims such a
 * run), so the outcome depends neither on timing nor on what other specs did.
 */
test('an operator aborts a run from the rollback page and sees what the abort left and what to do next', async ({
  page,
  browser,
}) => {
  const sql = e2eDatabase();
  const [migration] = await sql<{ id: number }[]>`
    insert into cutover.migration_runs (status, started_by) values ('active', 'operator') returning id::int as id`;
  const [run] = await sql<{ id: number }[]>`
    insert into cutover.phase_runs (migration_run_id, phase, status, options, requested_by, attempt, checkpoint)
    values (${migration?.id ?? 0}, 'rollback', 'awaiting-approval', '{"data": "delete"}', 'operator', 1, '{}')
    returning id::int as id`;
  const runId = run?.id ?? 0;

  // A viewer sees the run but no Abort.
  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  await new LoginPage(viewer).signInAs('viewer');
  await viewer.goto('/rollback');
  await expect(viewer.getByRole('button', { name: 'Abort', exact: true })).toHaveCount(0);
  await viewerContext.close();

  await new LoginPage(page).signInAs('operator');
  await page.goto('/rollback');
  await page.getByRole('button', { name: 'Abort', exact: true }).click();
  const form = page.getByRole('form', { name: 'Abort the run' });
  await expect(form).toContainText('It has not started: it ends at once and nothing runs.');
  const submit = page.getByRole('button', { name: `Abort run #${runId}` });
  await expect(submit).toBeDisabled();
  await page.getByLabel('Reason for aborting').fill('requested by mistake');
  await page.getByLabel('Type ABORT to confirm').fill('ABORT');
  await page.screenshot({ path: 'test-results/screenshots/abort-confirm.png', fullPage: true });
  await submit.click();

  const banner = page.getByTestId('aborted-banner');
  await expect(banner).toContainText(`Aborted — run #${runId} by operator`);
  await expect(banner).toContainText('Reason: requested by mistake');
  await expect(page.getByTestId('abort-left')).toContainText('The run had not started: nothing ran.');
  await expect(page.getByTestId('abort-next-steps')).toContainText('Resume: start Rollback again');
  await expect(page.getByTestId('latest-run-status')).toHaveText('aborted');
  await page.screenshot({ path: 'test-results/screenshots/abort-banner.png', fullPage: true });

  const [stored] = await sql<{ status: string }[]>`select status from cutover.phase_runs where id = ${runId}`;
  expect(stored?.status).toBe('aborted');
  expect((await latestAudit({ action: 'runbook.abort', username: 'operator' }))?.outcome).toBe('ok');
});
