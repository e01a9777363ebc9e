import type { ITheme } from '@xterm/xterm';

/** xterm.js theme keys and the theme.css custom properties they take their colour from. */
const TERMINAL_COLOURS = {
  background: 'term-bg',
  foreground: 'term-fg',
  cursor: 'term-bg', // no cursor: the log is read-only
  selectionBackground: 'term-selection',
  black: 'term-black',
  red: 'term-red',
  green: 'term-green',
  yellow: 'term-yellow',
  blue: 'term-blue',
  magenta: 'term-magenta',
  cyan: 'term-cyan',
  white: 'term-white',
  brightBlack: 'term-bright-black',
  brightRed: 'term-bright-red',
  brightGreen: 'term-bright-green',
  brightYellow: 'term-bright-yellow',
  brightBlue: 'term-bright-blue',
  brightMagenta: 'term-bright-magenta',
  brightCyan: 'term-bright-cyan',
  brightWhite: 'term-bright-white',
} satisfies Partial<Record<keyof ITheme, string>>;

const SEARCH_COLOURS = {
  matchBackground: 'term-match',
  activeMatchBackground: 'term-active-match',
  matchOverviewRuler: 'term-match-ruler',
  activeMatchColorOverviewRuler: 'term-active-match-ruler',
} as const;

/** `rgb(1, 2, 3)` → `#010203`: the search addon accepts only #RRGGBB. */
export function toHex(colour: string): string {
  const m = /^rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(colour.trim());
  if (!m) return colour;
  return `#${m
    .slice(1, 4)
    .map((v) => Number(v).toString(16).padStart(2, '0'))
    .join('')}`;
}

/**
 * Resolves custom properties to the colours of the theme in force: a hidden probe takes each one as
 * its `color`, and the browser resolves light-dark() for it.
 */
function resolve<K extends string>(names: Record<K, string>, host: HTMLElement): Record<K, string> {
  const probe = host.ownerDocument.createElement('span');
  probe.hidden = true;
  host.appendChild(probe);
  const view = host.ownerDocument.defaultView!;
  const out = {} as Record<K, string>;
  for (const [key, name] of Object.entries(names) as [K, string][]) {
    probe.style.color = `var(--${name})`;
    out[key] = toHex(view.getComputedStyle(probe).color);
  }
  probe.remove();
  return out;
}

/** The terminal's colours for the theme currently on the page. */
export function terminalTheme(host: HTMLElement): ITheme {
  return resolve(TERMINAL_COLOURS, host);
}

export function searchDecorations(host: HTMLElement): Record<keyof typeof SEARCH_COLOURS, string> {
  return resolve(SEARCH_COLOURS, host);
}
