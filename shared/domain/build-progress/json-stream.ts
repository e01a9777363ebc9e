/**
 * Splits a byte/text stream into top-level JSON objects and plain-text lines, whatever the chunking.
 *
 * buildx 0.13 writes pretty-printed multi-line objects and, on failure, ends with plain text
 * (the Dockerfile excerpt and `ERROR: ...`); newer buildx writes one object per line. An object
 * starts at a `{` that is the first non-blank character of a line; everything else is text.
 *
 * One-line objects take a fast path (native JSON.parse of the whole line). Otherwise the scanner
 * tracks brace depth and string/escape state, resuming where it stopped, so every character is
 * scanned once however small the chunks are. Never throws on malformed input: what does not parse
 * comes out as text lines.
 */

export interface JsonStreamSink {
  value(value: unknown): void;
  text(line: string): void;
  /**
   * Optional shortcut for one-line objects: given the raw object text, handle it without
   * JSON.parse and return true, or return false to have it parsed normally.
   */
  raw?(json: string): boolean;
}

const enum Mode {
  /** At the start of a line (or after an object, mid-line). */
  Line,
  /** Inside a candidate object, scanning. */
  Object,
  /** Inside a plain-text line, waiting for its newline. */
  Text,
  /** A line that is just `{`: a pretty-printed object, which ends at a line that is just `}`. */
  Pretty,
  /** Right after an object, on the same line. */
  After,
}

const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const QUOTE = 34;
const BACKSLASH = 92;
const OPEN = 123;
const CLOSE = 125;

/** A candidate object that grows past this without closing is treated as text. */
const DEFAULT_MAX_OBJECT_CHARS = 64 * 1024 * 1024;

export class JsonObjectStream {
  private buf = '';
  private pos = 0;
  private mode = Mode.Line;
  /** Line mode, `{` seen at line start: where to continue looking for its newline. */
  private lineObjStart = -1;
  private nlSearchFrom = 0;
  // Object scan state.
  private objStart = 0;
  private scanPos = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private readonly decoder = new TextDecoder('utf-8');
  private readonly maxObjectChars: number;

  constructor(
    private readonly sink: JsonStreamSink,
    options: { maxObjectChars?: number } = {},
  ) {
    this.maxObjectChars = options.maxObjectChars ?? DEFAULT_MAX_OBJECT_CHARS;
  }

  /** Feeds a chunk. Bytes may split a UTF-8 character; the remainder is kept for the next chunk. */
  push(chunk: string | Uint8Array): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    if (text.length === 0) return;
    this.buf = this.pos === 0 && this.buf.length === 0 ? text : this.buf + text;
    this.run(false);
  }

  /** Flushes everything still buffered: an unterminated line or object comes out as text. */
  end(): void {
    const tail = this.decoder.decode();
    if (tail) this.buf += tail;
    this.run(true);
    this.buf = '';
    this.pos = 0;
    this.mode = Mode.Line;
    this.lineObjStart = -1;
  }

  private run(final: boolean): void {
    for (;;) {
      let progressed: boolean;
      switch (this.mode) {
        case Mode.Line:
          progressed = this.stepLine(final);
          break;
        case Mode.Object:
          progressed = this.stepObject(final);
          break;
        case Mode.Text:
          progressed = this.stepText(final);
          break;
        case Mode.Pretty:
          progressed = this.stepPretty(final);
          break;
        case Mode.After:
          progressed = this.stepAfter(final);
          break;
      }
      if (!progressed) break;
    }
    this.compact();
  }

  private compact(): void {
    const p = this.pos;
    if (p === 0) return;
    this.buf = p >= this.buf.length ? '' : this.buf.slice(p);
    this.pos = 0;
    this.objStart -= p;
    this.scanPos -= p;
    this.nlSearchFrom = Math.max(0, this.nlSearchFrom - p);
    if (this.lineObjStart >= 0) this.lineObjStart -= p;
  }

  /** At a line start: skip blanks, then decide object or text. */
  private stepLine(final: boolean): boolean {
    const buf = this.buf;
    const len = buf.length;
    let i = this.lineObjStart >= 0 ? this.lineObjStart : this.pos;
    if (this.lineObjStart < 0) {
      while (i < len) {
        const c = buf.charCodeAt(i);
        if (c === SPACE || c === TAB || c === CR) i++;
        else break;
      }
      if (i >= len) {
        // Only blanks so far; at the end they are nothing.
        if (final) this.pos = len;
        return false;
      }
      const c = buf.charCodeAt(i);
      if (c === LF) {
        this.pos = i + 1; // blank line
        return true;
      }
      if (c !== OPEN) {
        this.mode = Mode.Text; // keep the leading blanks: they are part of the text
        this.nlSearchFrom = this.pos;
        return true;
      }
      // `{` alone on its line: buildx 0.13's pretty-printed form.
      let j = i + 1;
      while (j < len && buf.charCodeAt(j) === CR) j++;
      if (j >= len && !final) return false; // cannot tell yet
      if (j < len && buf.charCodeAt(j) === LF) {
        this.mode = Mode.Pretty;
        this.objStart = i;
        this.nlSearchFrom = j;
        return true;
      }
      this.lineObjStart = i;
      this.nlSearchFrom = i + 1;
    }
    // Fast path: the whole object on one line. A line not finished yet is tried too when it
    // ends in `}`: a valid object there ends exactly where the scanner would end it, and
    // whatever follows on the line is handled as after any object.
    const nl = buf.indexOf('\n', this.nlSearchFrom);
    if (nl < 0 && !final) {
      this.nlSearchFrom = len;
      if (len - i > this.maxObjectChars) {
        this.lineObjStart = -1;
        this.beginObject(i);
        return true;
      }
      if (buf.charCodeAt(len - 1) !== CLOSE) return false;
      if (!this.tryLine(buf.slice(i, len))) return false;
      this.pos = len;
      this.lineObjStart = -1;
      this.afterObject();
      return true;
    }
    const lineEnd = nl < 0 ? len : nl;
    let last = lineEnd - 1;
    while (last > i && isBlank(buf.charCodeAt(last))) last--;
    if (buf.charCodeAt(last) === CLOSE && this.tryLine(buf.slice(i, last + 1))) {
      this.pos = nl < 0 ? len : nl + 1;
      this.lineObjStart = -1;
      return true;
    }
    // Multi-line (pretty-printed) or several objects on the line: scan.
    this.lineObjStart = -1;
    this.beginObject(i);
    return true;
  }

  /** Hands a one-line object to the sink (raw shortcut first). False when it is not valid JSON. */
  private tryLine(raw: string): boolean {
    if (this.sink.raw !== undefined && this.sink.raw(raw)) return true;
    const value = tryParse(raw);
    if (value === undefined) return false;
    this.sink.value(value);
    return true;
  }

  /**
   * Nested lines of a pretty-printed object are indented, so its end is the first `\n}` and a
   * `\n{` before that means it was not one. Both are found with indexOf and the object is
   * parsed once; anything unexpected goes to the character scanner, which decides for sure.
   */
  private stepPretty(final: boolean): boolean {
    const buf = this.buf;
    const len = buf.length;
    const from = this.nlSearchFrom;
    const close = buf.indexOf('\n}', from);
    const open = buf.indexOf('\n{', from);
    if (close < 0 || (open >= 0 && open < close)) {
      if (open >= 0 || final || len - this.objStart > this.maxObjectChars) {
        this.beginObject(this.objStart);
        return true;
      }
      this.nlSearchFrom = Math.max(from, len - 1); // the `\n` may be the last character so far
      return false;
    }
    const value = tryParse(buf.slice(this.objStart, close + 2));
    if (value === undefined) {
      this.beginObject(this.objStart);
      return true;
    }
    this.sink.value(value);
    this.pos = close + 2;
    this.mode = Mode.Line;
    this.afterObject();
    return true;
  }

  private beginObject(at: number): void {
    this.mode = Mode.Object;
    this.objStart = at;
    this.scanPos = at;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
  }

  private stepObject(final: boolean): boolean {
    const buf = this.buf;
    const len = buf.length;
    let i = this.scanPos;
    let depth = this.depth;
    let inString = this.inString;
    let escaped = this.escaped;
    for (; i < len; i++) {
      const c = buf.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) inString = false;
        else if (c === LF) {
          // A raw newline cannot be inside a JSON string: this was text after all.
          this.abandonObject(i);
          return true;
        }
        continue;
      }
      if (c === QUOTE) inString = true;
      else if (c === OPEN) depth++;
      else if (c === CLOSE) {
        if (--depth === 0) {
          this.finishObject(i + 1);
          return true;
        }
      } else if (c === LF && depth > 0) {
        if (i + 1 >= len) {
          if (final) continue;
          break; // decide once the next character is known, so chunking cannot matter
        }
        if (buf.charCodeAt(i + 1) === OPEN) {
          // Pretty-printed nested lines are indented, so `{` in column 0 starts a new top-level
          // object: the open candidate never closes. Give it up as text and resync here.
          this.abandonObject(i);
          return true;
        }
      }
    }
    this.scanPos = i;
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    if (final || len - this.objStart > this.maxObjectChars) {
      this.abandonObject(len);
      return true;
    }
    return false;
  }

  private finishObject(end: number): void {
    const raw = this.buf.slice(this.objStart, end);
    const value = tryParse(raw);
    if (value !== undefined) this.sink.value(value);
    else this.emitTextBlock(raw);
    this.pos = end;
    this.mode = Mode.Line;
    this.afterObject();
  }

  private afterObject(): void {
    this.mode = Mode.After;
  }

  /** The rest of a line after an object: blanks, another object, or text. */
  private stepAfter(final: boolean): boolean {
    const buf = this.buf;
    let i = this.pos;
    while (i < buf.length) {
      const c = buf.charCodeAt(i);
      if (c === SPACE || c === TAB || c === CR) i++;
      else break;
    }
    if (i >= buf.length) {
      if (final) {
        this.pos = i;
        this.mode = Mode.Line;
      }
      return false; // blanks so far: wait, they may lead to text or another object
    }
    const c = buf.charCodeAt(i);
    if (c === LF) {
      this.pos = i + 1;
      this.mode = Mode.Line;
    } else if (c === OPEN) {
      this.pos = i;
      this.beginObject(i);
    } else {
      this.pos = i;
      this.mode = Mode.Text;
      this.nlSearchFrom = i;
    }
    return true;
  }

  /** Emits buf[objStart, end) as text lines and continues in line mode at `end`. */
  private abandonObject(end: number): void {
    this.emitTextBlock(this.buf.slice(this.objStart, end));
    this.pos = end < this.buf.length && this.buf.charCodeAt(end) === LF ? end + 1 : end;
    this.mode = Mode.Line;
  }

  private emitTextBlock(raw: string): void {
    for (const line of raw.split('\n')) {
      const l = stripCR(line);
      if (l.trim().length > 0) this.sink.text(l);
    }
  }

  private stepText(final: boolean): boolean {
    const nl = this.buf.indexOf('\n', this.nlSearchFrom);
    if (nl < 0) {
      this.nlSearchFrom = this.buf.length;
      if (!final && this.buf.length - this.pos <= this.maxObjectChars) return false;
      const rest = stripCR(this.buf.slice(this.pos));
      if (rest.trim().length > 0) this.sink.text(rest);
      this.pos = this.buf.length;
      this.mode = Mode.Line;
      return false;
    }
    const line = stripCR(this.buf.slice(this.pos, nl));
    if (line.trim().length > 0) this.sink.text(line);
    this.pos = nl + 1;
    this.mode = Mode.Line;
    return true;
  }
}

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB || c === CR;
}

function stripCR(line: string): string {
  return line.length > 0 && line.charCodeAt(line.length - 1) === CR ? line.slice(0, -1) : line;
}

function tryParse(raw: string): unknown {
  try {
    const v: unknown = JSON.parse(raw);
    return v !== null && typeof v === 'object' ? v : undefined;
  } catch {
    return undefined;
  }
}
