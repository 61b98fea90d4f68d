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
