import { expect, type Page } from '@playwright/test';

export class PhasePage {
  constructor(private readonly page: Page) {}

  async goto(phase: string) {
    await this.page.goto(`/phases/${phase}`);
    await expect(this.page.getByRole('heading', { level: 1 })).toContainText(`Phase ${phase}`);
  }

  runButton(phase: string) {
    return this.page.getByRole('button', { name: `Run phase ${phase}` });
  }

  button(name: string) {
    return this.page.getByRole('button', { name, exact: true });
  }

  /** The id of the latest run shown, or null when the phase has not run in this migration run. */
  async latestRunId(): Promise<string | null> {
    const heading = this.page.getByTestId('latest-run-id');
    return (await heading.count()) > 0 ? heading.getAttribute('data-run-id') : null;
  }

  /**
   * Clicks a button that starts a run and waits until the page shows that new run — never the
   * previous one (after a rollback the page first shows the last migration run's result).
   */
  async start(button: ReturnType<Page['getByRole']>) {
    const before = await this.latestRunId();
    await button.click();
    await expect.poll(() => this.latestRunId(), { timeout: 30_000 }).not.toBe(before);
  }

  latestStatus() {
    return this.page.getByTestId('latest-run-status');
  }

  /** Waits for the latest run to end in `state` (the page polls while it runs). */
  async expectLatest(state: 'succeeded' | 'FAILED' | 'running' | 'paused', timeout = 90_000) {
    await expect(this.latestStatus()).toHaveText(state, { timeout });
  }

  async screenshot(name: string) {
    await this.page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
  }
}
