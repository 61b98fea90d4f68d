/** The migration report's "Dry run (validate)" section: the verdict phase 1 stood on, its NO-GO items, the override. */
import { describe, expect, it } from 'vitest';
import { renderRunReportHtml } from '../../../components/report-html';
import { ADMIN, OPERATOR } from '../../../test-support/runbook-driver';
import { useTestWorld } from '../../../test-support/world-database';
import { createValidateAction, overrideValidation } from '../actions/validate';
import { readRunReport } from '../read/report/read-run-report';

describe('the report of a migration run started after a GO', () => {
  const world = useTestWorld({ variant: 'production' }, { through: ['1'] });

  it('shows the GO phase 1 stood on', async () => {
    const report = await readRunReport(world.database, { migrationRunId: 1, withPreviews: false });
    expect(report?.dryRun.validation?.verdict).toBe('go');
    expect(report?.dryRun.validation?.noGo).toEqual([]);
    expect(report?.dryRun.override).toBeNull();
    const html = await renderRunReportHtml(report as NonNullable<typeof report>);
    expect(html).toMatch(/Dry run \(validate\)/);
    expect(html).toMatch(/Validation #\d+ by olivia, .*GO/);
  });
});

describe('the report of a migration run started on an override after a NO-GO', () => {
  const world = useTestWorld({ variant: 'production' }, { manualValidation: true });

  it('names the NO-GO items and the override', async () => {
    const noGo = await world.driver.act(
      createValidateAction({ config: { ...world.driver.config, workerRole: 'no_such_worker_role_report' } }),
      OPERATOR,
      {},
    );
    expect(noGo.status === 'ok' && noGo.data.verdict).toBe('no-go');
    const override = await world.driver.act(overrideValidation, ADMIN, {
      reason: 'worker role is created at 02:00 by the DBA',
    });
    expect(override.status).toBe('ok');
    const run = await world.driver.run('1');
    const report = await readRunReport(world.database, { migrationRunId: run.migrationRunId, withPreviews: false });
    expect(report?.dryRun.validation?.noGo.map((i) => i.name)).toEqual([
      'Worker role exists',
      'Phase 3 · create calc_dxy_range_1m, grants and a call',
    ]);
    expect(report?.dryRun.override?.reason).toBe('worker role is created at 02:00 by the DBA');
    const html = await renderRunReportHtml(report as NonNullable<typeof report>);
    expect(html).toMatch(/NO-GO Worker role exists: role no_such_worker_role_report/);
    expect(html).toMatch(/Phase 1 started on an admin’s override: ada/);
  });
});
