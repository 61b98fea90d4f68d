import type { Page } from '@playwright/test';

export const COUNT_KEYS = ['dataBars1m', 'derivedActive1m', 'derivedSoftDeleted1m', 'derived5m', 'derived1h'] as const;
export type CountKey = (typeof COUNT_KEYS)[number];

export class OverviewPage {
  constructor(private readonly page: Page) {}

  async goto() {
    await this.page.goto('/');
  }

  async count(key: CountKey): Promise<number> {
    const text = (await this.page.getByTestId(`count-${key}`).textContent()) ?? '';
    return Number(text.replace(/,/g, ''));
  }

  stopWorkersButton() {
    return this.page.getByRole('button', { name: 'Stop simulated tick-factory' });
  }

  resumeWorkersButton() {
    return this.page.getByRole('button', { name: 'Resume simulated workers' });
  }

  planRow(id: string) {
    return this.page.getByTestId(`plan-${id}`);
  }
}
