import { expect, type Page } from '@playwright/test';

/** The parts every console page shares: the nav (a menu on phones), titles, and the page's own width. */
export class ConsoleShell {
  constructor(private readonly page: Page) {}

  nav() {
    return this.page.getByRole('navigation', { name: 'Console' });
  }

  navLink(name: string) {
    return this.nav().getByRole('link', { name, exact: true });
  }

  menuButton() {
    return this.page.getByRole('button', { name: /^(Menu|Close menu)$/ });
  }

  /** Opens the phone menu and follows one of its links. */
  async openFromMenu(name: string) {
    await expect(this.nav()).toBeHidden();
    await this.menuButton().click();
    await expect(this.menuButton()).toHaveAttribute('aria-expanded', 'true');
    await this.navLink(name).click();
  }

  /** How far the page itself scrolls sideways (0 when everything fits; wide tables scroll inside their card). */
  horizontalOverflow(): Promise<number> {
    return this.page.evaluate(() => {
      const root = document.scrollingElement ?? document.documentElement;
      return root.scrollWidth - window.innerWidth;
    });
  }

  async expectNoHorizontalPageScroll() {
    await expect.poll(() => this.horizontalOverflow()).toBeLessThanOrEqual(0);
  }

  async screenshot(name: string) {
    await this.page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
  }
}
