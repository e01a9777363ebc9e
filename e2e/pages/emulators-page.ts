import type { Locator, Page } from '@playwright/test';

/** `arm/v7` → `arm-v7`, as the page's test ids spell architectures. */
const id = (arch: string) => arch.replace('/', '-');

export class EmulatorsPage {
  readonly root: Locator;
  readonly consent: Locator;
  readonly operation: Locator;
  readonly restoreBanner: Locator;
  readonly buildersNotice: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('emulators-page');
    this.consent = page.getByTestId('emulators-consent');
    this.operation = page.getByTestId('emulators-operation');
    this.restoreBanner = page.getByTestId('emulators-restore-banner');
    this.buildersNotice = page.getByTestId('emulators-builders-notice');
  }

  async open() {
    await this.page.getByTestId('nav-emulators').click();
    await this.root.and(this.page.locator('[data-state="ready"]')).waitFor();
  }

  row(arch: string): Locator {
    return this.page.getByTestId(`emulator-row-${id(arch)}`);
  }
  select(arch: string): Locator {
    return this.page.getByTestId(`emulator-select-${id(arch)}`);
  }
  outcome(arch: string): Locator {
    return this.page.getByTestId(`emulators-result-${id(arch)}`);
  }
  testResult(arch: string): Locator {
    return this.page.getByTestId(`emulator-test-result-${id(arch)}`);
  }
  testMachine(arch: string): Locator {
    return this.page.getByTestId(`emulator-test-machine-${id(arch)}`);
  }
  testFailure(arch: string): Locator {
    return this.page.getByTestId(`emulator-test-failure-${id(arch)}`);
  }

  async refresh() {
    await this.page.getByTestId('emulators-refresh').click();
  }
  async install() {
    await this.page.getByTestId('emulators-install').click();
  }
  async uninstall() {
    await this.page.getByTestId('emulators-uninstall').click();
  }
  async restore() {
    await this.restoreBanner.getByTestId('emulators-restore').click();
  }
  async test(arch: string) {
    await this.page.getByTestId(`emulator-test-${id(arch)}`).click();
  }

  /** The dialog appears only until consent was given for the installer image; confirm it when it does. */
  async confirmIfAsked() {
    const which = await Promise.race([
      this.consent.waitFor().then(() => 'consent' as const, () => 'gone' as const),
      this.operation.waitFor().then(() => 'running' as const, () => 'gone' as const),
    ]);
    if (which === 'consent') await this.page.getByTestId('emulators-consent-confirm').click();
  }
}
