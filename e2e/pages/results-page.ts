import type { Locator, Page } from '@playwright/test';

export class ResultsPage {
  readonly root: Locator;
  readonly reference: Locator;
  readonly requested: Locator;
  readonly summary: Locator;
  readonly table: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('results-page');
    this.reference = page.getByTestId('results-reference');
    this.requested = page.getByTestId('results-requested');
    this.summary = page.getByTestId('results-summary');
    this.table = page.getByTestId('platform-table');
  }

  async open() {
    await this.page.getByTestId('nav-results').click();
    await this.root.waitFor();
  }

  async inspect(reference: string, requested = '') {
    await this.reference.fill(reference);
    await this.requested.fill(requested);
    await this.page.getByTestId('results-inspect').click();
  }

  /** Present and missing rows alike; `data-state` says which. */
  rows(): Locator {
    return this.table.locator('tbody tr');
  }
  row(platform: string): Locator {
    return this.page.getByTestId(`platform-row-${platform}`);
  }
  smoke(platform: string): Locator {
    return this.page.getByTestId(`smoke-${platform}`);
  }
  async smokeAll() {
    await this.page.getByTestId('smoke-all').click();
  }
}

/** The Architecture integrity panel under the platform table. */
export class IntegrityPanel {
  readonly root: Locator;
  readonly check: Locator;
  readonly compare: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('integrity-panel');
    this.check = page.getByTestId('binary-check');
    this.compare = page.getByTestId('platform-compare');
  }

  async checkBinaries() {
    await this.page.getByTestId('check-binaries').click();
  }
  platform(platform: string): Locator {
    return this.page.getByTestId(`check-${platform}`);
  }
  async comparePlatforms(a: string, b: string) {
    await this.page.getByTestId('compare-a').selectOption(a);
    await this.page.getByTestId('compare-b').selectOption(b);
    await this.page.getByTestId('compare-run').click();
  }
}
