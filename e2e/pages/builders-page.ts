import type { Locator, Page } from '@playwright/test';

export class BuildersPage {
  readonly root: Locator;
  readonly outcome: Locator;
  readonly form: Locator;
  constructor(readonly page: Page) {
    this.root = page.getByTestId('builders-page');
    this.outcome = page.getByTestId('builders-outcome');
    this.form = page.getByTestId('builder-create-form');
  }
  async open() {
    await this.page.getByTestId('nav-builders').click();
  }
  builder(name: string): Locator {
    return this.page.getByTestId(`builder-${name}`);
  }
  platform(name: string, platform: string): Locator {
    return this.builder(name).locator(`[data-testid="builder-platform"][data-platform="${platform}"]`).first();
  }
  async openCreate() {
    await this.page.getByTestId('builders-new').click();
  }
  async create(name: string) {
    await this.openCreate();
    await this.page.getByTestId('builder-create-name').fill(name);
    await this.page.getByTestId('builder-create-submit').click();
  }
  async remove(name: string) {
    await this.page.getByTestId(`builder-remove-${name}`).click();
    await this.page.getByTestId('builder-remove-confirm').click();
  }
}
