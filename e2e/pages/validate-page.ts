import { expect, type Page } from '@playwright/test';

/** The Validate page: the dry run phase 1 needs a GO from (docs/phases.md "Validate — before the night"). */
export class ValidatePage {
  constructor(private readonly page: Page) {}

  async goto() {
    await this.page.goto('/validate');
    await expect(this.page.getByRole('heading', { name: 'Validate', level: 1 })).toBeVisible();
  }

  latest() {
    return this.page.getByRole('region', { name: 'Latest validation' });
  }

  /** When the latest validation finished, or null before the first (never waits for one to appear). */
  private async latestFinishedAt(): Promise<string | null> {
    const time = this.latest().locator('time');
    return (await time.count()) > 0 ? time.first().getAttribute('datetime') : null;
  }

  /** Clicks "Validate now" (an operator) and waits for a new result; expects GO unless told otherwise. */
  async validate(expected: 'GO' | 'NO-GO' = 'GO') {
    await this.goto();
    const before = await this.latestFinishedAt();
    await this.page.getByRole('button', { name: 'Validate now' }).click();
    await expect.poll(() => this.latestFinishedAt(), { timeout: 60_000 }).not.toBe(before);
    await expect(this.latest().getByText(expected, { exact: true })).toBeVisible();
  }
}
