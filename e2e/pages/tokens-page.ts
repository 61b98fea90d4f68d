import { expect, type Page } from '@playwright/test';

/** The Tokens page: personal API tokens for the command line. */
export class TokensPage {
  constructor(private readonly page: Page) {}

  async goto() {
    await this.page.goto('/tokens');
    await expect(this.page.getByRole('heading', { name: 'Tokens', level: 1 })).toBeVisible();
  }

  /** Creates a token (the signed-in user's password is asked again) and reads it from "New token", the one time it is shown. */
  async create(name: string, password: string, expiresAfter = '1 day'): Promise<string> {
    await this.page.getByLabel('Token name').fill(name);
    await this.page.getByLabel('Expires after').selectOption({ label: expiresAfter });
    await this.page.getByLabel('Your password (asked again)').fill(password);
    await this.page.getByRole('button', { name: 'Create token' }).click();
    const field = this.page.getByLabel('New token');
    await expect(field).toHaveValue(/^dxyc_[\w-]{43}$/);
    return field.inputValue();
  }

  row(name: string) {
    return this.page.getByTestId('own-tokens').locator('tbody tr', { hasText: name });
  }

  async revoke(name: string) {
    await this.row(name)
      .getByRole('button', { name: `Revoke token ${name}` })
      .click();
    await expect(this.row(name)).toContainText('revoked');
  }
}
