import { expect, type Locator, type Page } from '@playwright/test';
import { BuildPage } from './build-page';

/** The Dockerfile advice panel on the Build page. */
export class DockerfileAdvicePanel {
  readonly root: Locator;
  readonly badge: Locator;
  readonly preflight: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('dockerfile-advice');
    this.badge = page.getByTestId('dockerfile-findings-badge');
    this.preflight = page.getByTestId('dockerfile-preflight');
  }

  /** Opens the app's Build page on a context folder and waits for the advice of its Dockerfile. */
  async showFor(appUrl: string, contextDir: string): Promise<void> {
    const build = new BuildPage(this.page);
    await this.page.goto(appUrl);
    await build.open();
    await build.context().fill(contextDir);
    await expect(this.root).toHaveAttribute('data-state', 'ready');
  }

  finding(rule: string, line: number): Locator {
    return this.root.locator(`[data-testid="dockerfile-finding"][data-rule="${rule}"][data-line="${line}"]`);
  }

  /** BuildKit's checks: whether they ran and why not. */
  get checks(): Locator {
    return this.root.getByTestId('dockerfile-buildkit-checks');
  }

  /** A BuildKit check result no finding of the app covers. */
  buildkitOnly(rule: string, line: number): Locator {
    return this.root.locator(`[data-testid="dockerfile-finding"][data-source="buildkit"][data-rule="${rule}"][data-line="${line}"]`);
  }

  preflightFinding(platform: string): Locator {
    return this.preflight.locator(`[data-testid="dockerfile-preflight-finding"][data-platforms*="${platform}"]`);
  }

  parseError(line: number): Locator {
    return this.root.locator(`[data-testid="dockerfile-parse-error"][data-line="${line}"]`);
  }

  applyButton(rule: string, line: number): Locator {
    return this.finding(rule, line).getByTestId('dockerfile-apply');
  }

  get applyDialog(): Locator {
    return this.page.getByTestId('dockerfile-apply-dialog');
  }

  get applied(): Locator {
    return this.root.getByTestId('dockerfile-applied');
  }

  suppressedFinding(rule: string, line: number): Locator {
    return this.root.locator(`[data-testid="dockerfile-suppressed-finding"][data-rule="${rule}"][data-line="${line}"]`);
  }

  argTip(name: string, within?: Locator): Locator {
    return (within ?? this.root).getByTestId(`arg-tip-${name}`).first();
  }
}
