import { expect, type Locator, type Page } from '@playwright/test';

export class BuildPage {
  readonly root: Locator;
  readonly run: Locator;
  readonly terminal: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('build-page');
    this.run = page.getByTestId('build-run');
    this.terminal = page.getByTestId('build-terminal');
  }

  async open() {
    await this.page.getByTestId('nav-build').click();
  }

  /** Loads the app, opens the Build page and fills in a context folder the page accepts. */
  async openWithContext(url: string, dir: string) {
    await this.page.goto(url);
    await this.open();
    await this.context().fill(dir);
    await expect(this.contextState()).toHaveAttribute('data-state', 'ok');
  }

  context(): Locator {
    return this.page.getByTestId('build-context');
  }

  contextState(): Locator {
    return this.page.getByTestId('build-context-state');
  }

  tag(index: number): Locator {
    return this.page.getByTestId(`build-tag-${index}`);
  }

  platform(platform: string): Locator {
    return this.page.getByTestId(`platform-${platform}`);
  }

  output(kind: 'push' | 'load' | 'oci' | 'local' | 'cacheonly'): Locator {
    return this.page.getByTestId(`output-${kind}`);
  }

  command(): Locator {
    return this.page.getByTestId('build-command');
  }

  startButton(): Locator {
    return this.page.getByTestId('build-start');
  }

  lane(platform: string): Locator {
    return this.page.getByTestId(`lane-${platform}`);
  }

  tab(platform: string | 'all'): Locator {
    return this.page.getByTestId(`terminal-tab-${platform}`);
  }

  status(): Locator {
    return this.page.getByTestId('build-status');
  }

  /** Searches the terminal and returns the result-count element (its data-count is the number of matches). */
  async search(text: string): Promise<Locator> {
    // everything received has been written to xterm
    await this.terminal.and(this.page.locator('[data-state="idle"]')).waitFor();
    await this.page.getByTestId('build-terminal-search').fill(text);
    await this.page.getByTestId('build-terminal-search-next').click();
    return this.page.getByTestId('build-terminal-results');
  }

  /** The terminal's visible rows, as text. */
  visibleText(): Promise<string> {
    return this.terminal.locator('.xterm-rows').innerText();
  }
}
