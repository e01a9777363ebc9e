import type { ProgressEvent, StepInfo } from './model';

/**
 * Renders progress events as terminal text in the style of buildx's plain progress
 * (`#5 [linux/arm64 2/3] RUN …`, `#5 0.153 output`, `#5 DONE 0.4s`), with ANSI colours. Steps whose
 * platform came from their inputs get it written into their header, so the same RUN on three
 * platforms reads as three different lines. Every chunk is tagged with its platform and vertex,
 * so a terminal can show one platform only.
 */

export interface TerminalChunk {
  /** One or more complete lines, each ending in `\n` (CRLF when asked). */
  text: string;
  /** How many: known without scanning `text` (a log flood is mostly lines nobody will look into). */
  lines: number;
  /** The step's platform; absent for shared steps and plain-text lines. */
  platform?: string;
  digest?: string;
  index?: number;
}

export interface TerminalFormatOptions {
  /** ANSI colours. Default true. */
  color?: boolean;
  /** Line ending; xterm wants `\r\n` unless convertEol is set. Default `\n`. */
  eol?: '\n' | '\r\n';
  /** Write inherited platforms into step headers. Default true. */
  showInheritedPlatform?: boolean;
}

const RESET = '\x1b[0m';
const BOLD = '\x1b[1m';
const DIM = '\x1b[2m';
const RED = '\x1b[31m';
const GREEN = '\x1b[32m';
const YELLOW = '\x1b[33m';
const BLUE = '\x1b[34m';
// Distinct per platform so interleaved lanes stay readable; never red (errors) or green (done).
const PLATFORM_COLORS = ['\x1b[36m', '\x1b[35m', '\x1b[34m', '\x1b[33m', '\x1b[96m', '\x1b[95m', '\x1b[94m', '\x1b[93m'];

interface Known {
  info: StepInfo;
  /** `#N title` of this info and its newlines (a title can hold a heredoc), made once per info. */
  head?: { text: string; newlines: number };
}

export class TerminalFormatter {
  private readonly color: boolean;
  private readonly eol: string;
  private readonly showInherited: boolean;
  private readonly steps = new Map<string, Known>();
  private readonly platformColors = new Map<string, string>();
  private last: string | undefined;
  private printedAny = false;

  constructor(options: TerminalFormatOptions = {}) {
    this.color = options.color ?? true;
    this.eol = options.eol ?? '\n';
    this.showInherited = options.showInheritedPlatform ?? true;
  }

  format(events: readonly ProgressEvent[]): TerminalChunk[] {
    const out: TerminalChunk[] = [];
    for (const e of events) this.formatOne(e, out);
    return out;
  }

  /** Convenience: everything as one string, for a terminal that is not filtered. */
  formatToString(events: readonly ProgressEvent[]): string {
    let s = '';
    for (const c of this.format(events)) s += c.text;
    return s;
  }

  private formatOne(e: ProgressEvent, out: TerminalChunk[]): void {
    switch (e.kind) {
      case 'step': {
        const known = this.remember(e.step);
        const s = e.step;
        switch (e.change) {
          case 'running':
            this.header(known, out);
            break;
          case 'done':
            this.line(known, out, `${this.paint(GREEN, 'DONE')} ${seconds(s.durationMs)}`);
            break;
          case 'cached':
            this.line(known, out, this.paint(BLUE, 'CACHED'));
            break;
          case 'error':
            this.line(known, out, this.paint(RED + BOLD, `ERROR: ${s.error ?? ''}`));
            break;
          case 'canceled':
            this.line(known, out, this.paint(YELLOW, 'CANCELED'));
            break;
          default:
            break; // `new` and `renamed` print nothing until the step does something
        }
        return;
      }
      case 'log': {
        const l = e.line;
        const known = this.steps.get(l.digest);
        const elapsed =
          known?.info.startedAt !== undefined && l.timestamp !== undefined
            ? `${(Math.max(0, l.timestamp - known.info.startedAt) / 1000).toFixed(3)} `
            : '';
        if (known) {
          // A log line's text never holds a newline: the tracker splits on them.
          this.line(known, out, `${this.paint(DIM, elapsed)}${l.text}`, 0);
        } else {
          this.emit(out, `${this.paint(DIM, `#${l.index} ${elapsed}`)}${l.text}`, l.platform, l.digest, l.index, 0);
        }
        return;
      }
      case 'progress': {
        if (!e.item.completed) return;
        const known = this.steps.get(e.digest);
        const size = e.item.current > 0 ? ` ${humanSize(e.item.current)}` : '';
        const took =
          e.item.startedAt !== undefined && e.item.completedAt !== undefined
            ? ` ${seconds(e.item.completedAt - e.item.startedAt)}`
            : '';
        const body = `${e.item.id}${size}${took} done`;
        if (known) this.line(known, out, body);
        else this.emit(out, `#${e.index} ${body}`, e.platform, e.digest, e.index);
        return;
      }
      case 'platform': {
        const known = this.steps.get(e.digest);
        if (known) {
          known.info = { ...known.info };
          known.head = undefined;
          if (e.platform !== undefined) known.info.platform = e.platform;
          else delete known.info.platform;
        }
        return;
      }
      case 'text': {
        const isError = /^(?:ERROR|error):? /.test(e.line);
        // A blank line between step output and buildx's own text, as buildx prints it.
        const sep = this.last !== undefined ? this.eol : '';
        this.last = undefined;
        this.emit(out, sep + (isError ? this.paint(RED + BOLD, e.line) : e.line));
        return;
      }
      case 'warning': {
        const w = e.warning;
        this.last = undefined;
        const detail = w.detail.length ? `${this.eol}${w.detail.join(this.eol)}` : '';
        this.emit(out, this.paint(YELLOW, `WARNING: ${w.short}`) + detail, w.platform, w.digest);
        return;
      }
      case 'build':
        return;
    }
  }

  private remember(info: StepInfo): Known {
    let known = this.steps.get(info.digest);
    if (!known) {
      known = { info };
      this.steps.set(info.digest, known);
    } else if (known.info !== info) {
      known.info = info;
      known.head = undefined;
    }
    return known;
  }

  /** Prints `#N [platform …] name` when this step is not the one printed last, like buildx does. */
  private header(known: Known, out: TerminalChunk[]): void {
    if (this.last === known.info.digest) return;
    const info = known.info;
    const sep = this.printedAny ? this.eol : '';
    if (!known.head) {
      const text = `${this.paint(BOLD, `#${info.index}`)} ${this.title(info)}`;
      known.head = { text, newlines: newlines(text) };
    }
    this.emit(out, sep + known.head.text, info.platform, info.digest, info.index, known.head.newlines + (sep ? 1 : 0));
    this.last = info.digest;
  }

  /** `bodyNewlines`: when the caller knows them; counted otherwise. */
  private line(known: Known, out: TerminalChunk[], body: string, bodyNewlines?: number): void {
    this.header(known, out);
    const info = known.info;
    this.emit(out, `${this.paint(BOLD, `#${info.index}`)} ${body}`, info.platform, info.digest, info.index, bodyNewlines);
  }

  private title(info: StepInfo): string {
    const name = info.fullName || info.name;
    const close = name.startsWith('[') ? name.indexOf(']') : -1;
    const inherited = this.showInherited && info.platform !== undefined && info.platformSource !== 'name';
    if (close < 0) {
      return inherited ? `${this.tag(`[${info.platform}]`, info.platform)} ${name}` : name;
    }
    const inner = name.slice(1, close);
    const rest = name.slice(close + 1);
    if (inherited) {
      return `${this.tag(`[${info.platform}`, info.platform)} ${inner}]${rest}`;
    }
    if (info.platform !== undefined && info.platformSource === 'name') {
      // Colour the platform written in the name itself.
      const at = inner.indexOf(info.platform.split('/')[0]!);
      const space = inner.indexOf(' ', at);
      if (at >= 0) {
        const end = space < 0 ? inner.length : space;
        return `[${inner.slice(0, at)}${this.tag(inner.slice(at, end), info.platform)}${inner.slice(end)}]${rest}`;
      }
    }
    return name;
  }

  private tag(text: string, platform: string | undefined): string {
    if (!this.color || platform === undefined) return text;
    let c = this.platformColors.get(platform);
    if (!c) {
      c = PLATFORM_COLORS[this.platformColors.size % PLATFORM_COLORS.length]!;
      this.platformColors.set(platform, c);
    }
    return `${c}${text}${RESET}`;
  }

  private paint(code: string, text: string): string {
    return this.color && text ? `${code}${text}${RESET}` : text;
  }

  private emit(out: TerminalChunk[], text: string, platform?: string, digest?: string, index?: number, knownNewlines?: number): void {
    const chunk: TerminalChunk = { text: text + this.eol, lines: (knownNewlines ?? newlines(text)) + 1 };
    if (platform !== undefined) chunk.platform = platform;
    if (digest !== undefined) chunk.digest = digest;
    if (index !== undefined) chunk.index = index;
    out.push(chunk);
    this.printedAny = true;
  }
}

function newlines(text: string): number {
  let n = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) n++;
  return n;
}

function seconds(ms: number | undefined): string {
  return `${((ms ?? 0) / 1000).toFixed(1)}s`;
}

/** Decimal units, four significant digits, like the sizes buildx prints (`416B`, `1.615MB`). */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(4))}${units[i]}`;
}

/** Strips ANSI colour sequences (for tests, copying, and searching). */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}
