import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The light-dark() pairs of theme.css, by custom property. */
function palette(): Map<string, { light: string; dark: string }> {
  const css = readFileSync(join(__dirname, 'theme.css'), 'utf8');
  const pairs = new Map<string, { light: string; dark: string }>();
  for (const m of css.matchAll(/--([\w-]+):\s*light-dark\((#[0-9a-f]{6}),\s*(#[0-9a-f]{6})\)/gi)) pairs.set(m[1]!, { light: m[2]!, dark: m[3]! });
  return pairs;
}

// WCAG 2.x relative luminance and contrast ratio
const luminance = (hex: string) => {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
};
const contrast = (a: string, b: string) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
};

describe('theme colours', () => {
  const colours = palette();
  const surfaces = ['bg', 'panel', 'panel-2', 'err-bg', 'warn-bg'];
  const inks = ['text', 'muted', 'accent', 'ok', 'warn', 'err'];

  it('are all written as light-dark() pairs, the ones the checks below need included', () => {
    for (const name of [...surfaces, ...inks, 'on-accent', 'term-bg', 'term-fg', 'code-comment']) expect(colours.has(name), name).toBe(true);
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`keep text and status colours at WCAG AA (4.5:1) on every surface in the ${theme} theme`, () => {
      const low: string[] = [];
      const check = (ink: string, surface: string) => {
        const ratio = contrast(colours.get(ink)![theme], colours.get(surface)![theme]);
        if (ratio < 4.5) low.push(`${ink} on ${surface}: ${ratio.toFixed(2)}`);
      };
      for (const ink of inks) for (const surface of surfaces) check(ink, surface);
      for (const code of [...colours.keys()].filter((n) => n.startsWith('code-'))) check(code, 'bg');
      check('on-accent', 'accent');
      check('term-fg', 'term-bg');
      expect(low).toEqual([]);
    });
  }

  it('differ between the themes (a pair with the same colour twice is a forgotten dark value)', () => {
    const same = [...colours].filter(([, pair]) => pair.light === pair.dark).map(([name]) => name);
    expect(same).toEqual([]);
  });
});
