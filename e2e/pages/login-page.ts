import { expect, type Page } from '@playwright/test';
import { demoUser } from '../support/demo-users';

export class LoginPage {
  constructor(private readonly page: Page) {}

  async goto() {
    await this.page.goto('/login');
  }

  async signIn(username: string, password: string) {
    await this.page.getByLabel('Username').fill(username);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
  }

  /** Signs in as a demo user and waits for the overview. */
  async signInAs(username: string) {
    await this.goto();
    await this.signIn(username, demoUser(username).password);
    await expect(this.page.getByTestId('signed-in-user')).toContainText(username);
  }

  errorMessage() {
    return this.page.getByTestId('sign-in-error');
  }
}
