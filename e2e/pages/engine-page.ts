import type { Locator, Page } from '@playwright/test';

export class EnginePage {
  readonly root: Locator;
  constructor(readonly page: Page) {
    this.root = page.getByTestId('engine-page');
  }
  async open() {
    await this.page.getByTestId('nav-engine').click();
  }
  value(testId: string): Locator {
    return this.page.getByTestId(testId).locator('.fact-value');
  }
}
