import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderRunReportHtml } from '../components/report-html';
import { executeAction } from '../lib/auth/action';
import { waiveFailedHour } from '../lib/monitor/waive-hour-action';
import { approveRequest } from '../lib/runbook/actions/decide-approval';
import { looksLikeJson } from '../lib/runbook/read/report/plain-text';
import { type RunReport, readRunReport } from '../lib/runbook/read/report/read-run-report';
import { MINUTE_MS } from '../lib/time-units';
import { type CliConsole, cliEnvironment, runCli, startCliConsole } from '../test-support/cli-console';
import { APPROVER, failedChecks, OPERATOR } from '../test-support/runbook-driver';
import { MIDWEEK_NOW } from '../test-support/test-world';
import { useTestWorld } from '../test-support/world-database';
import { e2eChromiumPath } from './browser/browser-record';

const PHASES = ['1', '2-fix', '3', '4', '5', '6', '7'];

/** Pages of a PDF: its page objects (`/Type /Page`, not the `/Type /Pages` tree). */
function pdfPageCount(pdf: Buffer): number {
  return pdf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g)?.length ?? 0;
}

/** Text as it appears in the HTML (React escapes these characters). */
function escaped(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#x27;');
}

describe('the migration report of a rehearsal run through phase 9', () => {
  const test = useTestWorld({ now: MIDWEEK_NOW, days: 2 });
  let report: RunReport;
  let migrationRunId: number;
  let console_: CliConsole;
  /** The CLI's environment: the console's address and a viewer's token, no database credentials. */
  let viewerEnv: Record<string, string>;

  beforeAll(async () => {
    const { driver } = test;
    for (const phase of PHASES) {
      const run = await driver.run(phase);
      expect(run.status, `phase ${phase}: ${failedChecks(run)}`).toBe('succeeded');
    }
    // The 24-hour window passes on the test clock; the runner takes one snapshot per hour.
    for (let i = 0; i < 25 * 12; i++) {
      driver.clock.advance(5 * MINUTE_MS);
      await driver.tick();
    }
    // A random world can fail an hour (a provider gap); on call waives it, as phase 9 requires.
    const failed = await test.database.sql<{ id: number }[]>`
      select id from cutover.monitor_snapshots where verdict = 'FAIL' and waived_by is null`;
    for (const snapshot of failed) {
      const waiver = await executeAction(waiveFailedHour, {
        database: test.database,
        user: APPROVER,
        rawInput: { snapshotId: snapshot.id, reason: 'Provider gap in the random test world, understood' },
      });
      expect(waiver.status).toBe('ok');
    }
    const runId = await driver.start('9', OPERATOR);
    const [approval] = await test.database.sql<{ id: number }[]>`
      select id from cutover.approvals where phase_run_id = ${runId}`;
    const approved = await executeAction(approveRequest, {
      database: test.database,
      user: APPROVER,
      rawInput: { approvalId: approval?.id, confirm: 'DXY' },
    });
    expect(approved.status).toBe('ok');
    const phase9 = await driver.finish(runId);
    expect(phase9.status, failedChecks(phase9)).toBe('succeeded');
    const [migration] = await test.database.sql<{ id: number }[]>`select id from cutover.migration_runs`;
    migrationRunId = Number(migration?.id);
    report = (await readRunReport(test.database, { migrationRunId })) as RunReport;
    console_ = await startCliConsole(test.database);
    viewerEnv = cliEnvironment({
      CUTOVER_URL: console_.url,
      CUTOVER_TOKEN: await console_.userWithToken('report-viewer', ['viewer']),
    });
    // A whole rehearsal through phase 9, in process: minutes on a busy two-core machine.
  }, 600_000);
  afterAll(async () => {
    await console_?.close();
  });

  it('holds every phase run with who requested, approved and ran it, and its verification', () => {
    expect(report.phaseRuns.map((p) => p.run.phase)).toEqual([...PHASES, '9']);
    for (const entry of report.phaseRuns) {
      expect(entry.run.status).toBe('succeeded');
      expect(entry.run.requestedBy).toBe(OPERATOR.username);
      expect(entry.runners).toEqual(['test-runner']);
      expect(entry.run.verification?.checks.length).toBeGreaterThan(0);
    }
    const phase9 = report.phaseRuns.find((p) => p.run.phase === '9');
    expect(phase9?.approval).toMatchObject({ kind: 'soft-delete', status: 'approved', decidedBy: APPROVER.username });
    expect(report.copy?.figures.find((f) => f.name.startsWith('rowsWritten'))?.value).toMatch(/^\d+$/);
  });

  it('holds the 24 hourly snapshots, the soft-delete count, the backup and the audit events', async () => {
    expect(report.hours).toHaveLength(24);
    expect(report.hours.every((h) => h.takenAt !== null && h.checks.length === 6)).toBe(true);
    expect(report.verdictCounts.PASS + report.verdictCounts.WARN + report.verdictCounts.FAIL).toBe(24);
    const [legacy] = await test.database.sql<{ n: number }[]>`
      select count(*)::int as n from public.derived_data_bars
       where canonical_symbol = 'DXY' and timeframe = '1m' and deleted_at is not null`;
    expect(report.softDelete).toEqual({ softDeleted: legacy?.n, restored: 0 });
    expect(report.softDelete.softDeleted).toBeGreaterThan(2000);
    expect(report.backup?.verified).toBe(true);
    const actions = report.audit.map((a) => a.action);
    expect(actions.filter((a) => a === 'runbook.start_phase')).toHaveLength(PHASES.length + 1);
    expect(actions).toContain('approvals.approve');
    expect(report.auditChain.state.intact).toBe(true);
    expect(report.auditChain.description).toMatch(/^Audit chain intact: \d+ events/);
    expect(report.previews.map((p) => p.phase)).toEqual([...PHASES, '9']);
  });

  it('prints on at most six A4 pages in Chromium, page one on one, and reads without JSON outside the closed appendix', async () => {
    const html = await renderRunReportHtml(report);
    const browser = await chromium.launch({
      executablePath: e2eChromiumPath(),
      args: ['--no-sandbox', '--disable-gpu'],
    });
    try {
      const page = await browser.newPage();
      const pdf = () => page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
      const print = async () => pdfPageCount(await pdf());
      await page.setContent(html, { waitUntil: 'load' });
      expect(await page.locator('details.appendix').evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
      const printed = await pdf();
      // Kept to be looked at, as an approver would (and by the e2e spec that prints the CLI's file).
      mkdirSync('test-results', { recursive: true });
      writeFileSync('test-results/run-report-phase-9.pdf', printed);
      const pages = pdfPageCount(printed);
      expect(pages).toBeGreaterThan(1);
      expect(pages).toBeLessThanOrEqual(6);
      // The body as it prints: every word outside the appendix (and the stylesheet) is for people, none JSON.
      const body = await page.evaluate(() => {
        const clone = document.querySelector('.run-report')?.cloneNode(true) as HTMLElement;
        for (const hidden of clone.querySelectorAll('style, details.appendix > :not(summary)')) hidden.remove();
        return clone.textContent ?? '';
      });
      expect(body).toContain('Completed');
      expect(looksLikeJson(body), body.match(/.{0,80}(\{\s*"|"\s*:).{0,80}/)?.[0]).toBe(false);
      // The same text with the appendix's evidence is JSON: the check above can fail.
      const all = await page.evaluate(() => document.querySelector('details.appendix')?.textContent ?? '');
      expect(looksLikeJson(all)).toBe(true);
      // Opened for printing, the appendix alone is pages more: the count above measures the closed one.
      await page.locator('details.appendix').evaluate((d) => {
        d.setAttribute('open', '');
        d.setAttribute('data-print-open', '');
      });
      expect(await print()).toBeGreaterThan(pages);
      // Page one is one page: everything after it removed, the paper holds one page.
      await page.setContent(html, { waitUntil: 'load' });
      await page.evaluate(() => {
        const first = document.querySelector('.run-report .page-break');
        while (first?.nextSibling) first.nextSibling.remove();
        first?.remove();
      });
      expect(await print()).toBe(1);
    } finally {
      await browser.close();
    }
  });

  it('`npm run cutover -- report N` prints one self-contained HTML file with all of it', async () => {
    const result = await runCli(['report', String(migrationRunId)], viewerEnv);
    expect(result.code, result.stderr).toBe(0);
    const html = result.stdout;
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    // Self-contained: no script, no external stylesheet, image or font.
    expect(html).not.toMatch(/<script|<link |src=|url\(/i);
    for (const entry of report.phaseRuns) {
      expect(html).toContain(`data-testid="report-verification-${entry.run.id}"`);
      for (const check of entry.run.verification?.checks ?? []) expect(html).toContain(escaped(check.name));
    }
    expect(html.match(/data-testid="report-hour"/g)).toHaveLength(24);
    for (const key of ['freshness', 'bars_1m', 'bars_5m', 'bar_1h', 'parity', 'worker_errors']) {
      expect(html).toContain(`data-testid="report-chart-${key}"`);
    }
    expect(html).toContain('Audit chain intact');
    expect(html).toContain(`${report.softDelete.softDeleted.toLocaleString('en-US')}`);
    // Kept for the Playwright spec that prints the CLI's file to PDF (e2e/run-report.spec.ts).
    mkdirSync('test-results', { recursive: true });
    writeFileSync('test-results/run-report-phase-9.html', html);
  });

  it("`npm run cutover -- report N > report.html` writes the HTML without npm's banner; `>>` appends untouched", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-'));
    const shell = (redirect: string) =>
      new Promise<number | null>((resolve) => {
        const child = spawn('sh', ['-c', `npm run cutover -- report ${migrationRunId} ${redirect}`], {
          env: viewerEnv as NodeJS.ProcessEnv,
          stdio: 'ignore',
        });
        child.on('close', resolve);
      });
    expect(await shell(`> ${join(dir, 'report.html')}`)).toBe(0);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toContain('\0');
    writeFileSync(join(dir, 'log.txt'), 'kept\n');
    expect(await shell(`>> ${join(dir, 'log.txt')}`)).toBe(0);
    const appended = readFileSync(join(dir, 'log.txt'), 'utf8');
    expect(appended.startsWith('kept\n')).toBe(true);
    expect(appended).toContain('<!doctype html>');
  });

  it('`report` alone is the latest run; `--json` is the report’s data', async () => {
    const latest = await runCli(['report'], viewerEnv);
    expect(latest.code, latest.stderr).toBe(0);
    expect(latest.stdout).toContain(`migration run #${migrationRunId}`);
    const json = await runCli(['report', String(migrationRunId), '--json'], viewerEnv);
    expect(json.code, json.stderr).toBe(0);
    const data = JSON.parse(json.stdout) as RunReport;
    expect(data.migration.id).toBe(migrationRunId);
    expect(data.phaseRuns).toEqual(JSON.parse(JSON.stringify(report.phaseRuns)));
    expect(json.stdout.startsWith('{\n "')).toBe(true);
  });

  it('refuses an unknown run with the runs that exist, and a request without a token', async () => {
    const unknown = await runCli(['report', '99'], viewerEnv);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`There is no migration run #99; runs: #${migrationRunId}`);
    const anonymous = await runCli(['report', String(migrationRunId)], { ...viewerEnv, CUTOVER_TOKEN: '' });
    expect(anonymous.code).toBe(2);
    expect(anonymous.stdout).toBe('');
    expect(anonymous.stderr).toContain('Tokens page');
    const wrong = await runCli(['report', String(migrationRunId)], { ...viewerEnv, CUTOVER_TOKEN: 'dxyc_wrong' });
    expect(wrong.code).toBe(3);
    expect(wrong.stdout).toBe('');
  });
});
