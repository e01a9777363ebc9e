import { expect, type Locator, type Page } from '@playwright/test';

export const PAGES = ['engine', 'emulators', 'builders', 'build', 'results', 'history'] as const;
export type PageName = (typeof PAGES)[number];

/** The page's state once it has what it shows (not still loading). */
const SETTLED: Record<PageName, RegExp> = {
  engine: /^connected$/,
  emulators: /^ready$/,
  builders: /^ready$/,
  build: /^idle$|^succeeded$|^failed$|^cancelled$/,
  results: /^empty$|^loaded$/,
  history: /^loaded$/,
};

/** The sidebar, the theme choice and the shortcuts list: what every page shares. */
export class AppShell {
  constructor(readonly page: Page) {}

  root(name: PageName): Locator {
    return this.page.getByTestId(`${name}-page`);
  }

  nav(name: PageName): Locator {
    return this.page.getByTestId(`nav-${name}`);
  }

  async open(name: PageName): Promise<Locator> {
    await this.nav(name).click();
    return this.settled(name);
  }

  async settled(name: PageName): Promise<Locator> {
    const root = this.root(name);
    await expect(root).toHaveAttribute('data-state', SETTLED[name]);
    return root;
  }

  /** The app is up and talking to the engine (on whatever page it reopened). */
  async ready(): Promise<void> {
    await expect(this.page.getByTestId('status-bar')).toHaveAttribute('data-state', 'connected');
  }

  theme(): Locator {
    return this.page.getByTestId('theme-choice');
  }

  shortcuts(): Locator {
    return this.page.getByTestId('shortcuts-dialog');
  }

  /** The data-theme the page applied. */
  appliedTheme(): Promise<string | null> {
    return this.page.locator('html').getAttribute('data-theme');
  }
}
