import type { Locator, Page } from '@playwright/test';

export class EnginePage {
  readonly root: Locator;
  constructor(readonly page: Page) {
    this.root = page.getByTestId('engine-page');
  }
  async open() {
    await this.page.getByTestId('nav-engine').click();
  }
  /** One buildx feature of the list, by its id (`build-checks`, `history`, …). */
  buildxFeature(feature: string): Locator {
    return this.page.locator(`[data-testid="engine-buildx-feature"][data-feature="${feature}"]`);
  }
  value(testId: string): Locator {
    return this.page.getByTestId(testId).locator('.fact-value');
  }
}
