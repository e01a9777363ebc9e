import { base64ToBinaryString, binaryStringToBytes, endsInsideUtf8Sequence, hasNonAscii } from './base64';

/**
 * One vertex's log as BuildKit streams it: base64 pieces that may split lines and UTF-8
 * characters, turned into whole lines (what a terminal shows after CR redraws), with the last
 * lines kept for the UI and the failure summary. The tracker's step records carry these fields
 * themselves (no object per vertex), so the functions here take any record that has them.
 */
export interface VertexLog {
  logRing: string[];
  logHead: number;
  logCount: number;
  partialOut: string;
  partialErr: string;
  decoder: InstanceType<typeof TextDecoder> | undefined;
  /** Bytes of an unfinished UTF-8 character held by `decoder`. */
  utf8Tail: Uint8Array | undefined;
}

/** Receives each whole line of a vertex (stream 1 stdout, 2 stderr). */
export interface LineSink<T extends VertexLog> {
  line(log: T, stream: number, raw: string, ts: number | undefined): void;
}

const LOGS_OPEN = '{"logs":[';
const LOGS_CLOSE = ']}';
const F_VERTEX = '{"vertex":"';
const F_STREAM = '","stream":';
const F_DATA = ',"data":"';
const F_TS = '","timestamp":"';

const MAX_PARTIAL_LINE = 64 * 1024;

/** One log entry as the fast path reads it: vertex, stream, base64 data, timestamp. */
export type LogEntry = [vertex: string, stream: number, data: string, timestamp: string];

/**
 * Log-only objects are most of a big build's output and Go always writes them the same way:
 * `{"logs":[{"vertex":"…","stream":1,"data":"…","timestamp":"…"}, …]}` with no escapes in those
 * values. Such lines are picked apart with indexOf instead of JSON.parse; anything that does
 * not match that shape exactly gives undefined and takes the normal path.
 */
export function scanLogsObject(json: string): LogEntry[] | undefined {
  if (!json.startsWith(LOGS_OPEN)) return undefined;
  const end = json.length - LOGS_CLOSE.length;
  if (!json.endsWith(LOGS_CLOSE)) return undefined;
  const entries: LogEntry[] = [];
  let p = LOGS_OPEN.length;
  for (;;) {
    if (!json.startsWith(F_VERTEX, p)) return undefined;
    p += F_VERTEX.length;
    const vEnd = json.indexOf('"', p);
    if (vEnd < 0) return undefined;
    const vertex = json.slice(p, vEnd);
    p = vEnd;
    if (!json.startsWith(F_STREAM, p)) return undefined;
    p += F_STREAM.length;
    let stream = 0;
    const digitsStart = p;
    for (let c = json.charCodeAt(p); c >= 48 && c <= 57; c = json.charCodeAt(++p)) stream = stream * 10 + (c - 48);
    if (p === digitsStart) return undefined;
    if (!json.startsWith(F_DATA, p)) return undefined;
    p += F_DATA.length;
    const dEnd = json.indexOf('"', p);
    if (dEnd < 0) return undefined;
    const data = json.slice(p, dEnd);
    p = dEnd;
    if (!json.startsWith(F_TS, p)) return undefined;
    p += F_TS.length;
    const tEnd = json.indexOf('"', p);
    if (tEnd < 0) return undefined;
    const ts = json.slice(p, tEnd);
    p = tEnd + 1;
    if (json.charCodeAt(p) !== 125 /* } */) return undefined;
    p++;
    // A backslash anywhere means escapes: let JSON.parse handle it.
    if (vertex.includes('\\') || data.includes('\\') || ts.includes('\\')) return undefined;
    entries.push([vertex, stream, data, ts]);
    if (p === end) break;
    if (json.charCodeAt(p) !== 44 /* , */) return undefined;
    p++;
  }
  return entries;
}

/** A log entry's base64 data as text; one streaming decoder per vertex, since a character may be split across entries. */
export function decodeLogData(log: VertexLog, data: string): string {
  // ASCII (the common case) needs no UTF-8 decoding: the binary string is the text.
  const text = base64ToBinaryString(data);
  if (log.utf8Tail === undefined && !hasNonAscii(text)) return text;
  const bytes = binaryStringToBytes(text);
  const decoder = (log.decoder ??= new TextDecoder());
  const decoded = decoder.decode(bytes, { stream: true });
  log.utf8Tail = pendingTail(log.utf8Tail, bytes);
  return decoded;
}

/** Cuts decoded text into lines, holding an unterminated one back per stream; each whole line goes to `sink`. */
export function splitLines<T extends VertexLog>(log: T, stream: number, text: string, ts: number | undefined, sink: LineSink<T>): void {
  if (text.length === 0) return;
  const err = stream === 2;
  let nl = text.indexOf('\n');
  if (nl < 0) {
    const partial = (err ? log.partialErr : log.partialOut) + text;
    if (partial.length > MAX_PARTIAL_LINE) {
      sink.line(log, stream, partial, ts);
      if (err) log.partialErr = '';
      else log.partialOut = '';
    } else if (err) log.partialErr = partial;
    else log.partialOut = partial;
    return;
  }
  const head = err ? log.partialErr : log.partialOut;
  sink.line(log, stream, head.length ? head + text.slice(0, nl) : text.slice(0, nl), ts);
  let start = nl + 1;
  while ((nl = text.indexOf('\n', start)) >= 0) {
    sink.line(log, stream, text.slice(start, nl), ts);
    start = nl + 1;
  }
  const rest = start < text.length ? text.slice(start) : '';
  if (err) log.partialErr = rest;
  else log.partialOut = rest;
}

/** Emits unterminated lines; at the very end (`final`) also what the UTF-8 decoder still holds. */
export function flushLines<T extends VertexLog>(log: T, final: boolean, ts: number | undefined, sink: LineSink<T>): void {
  if (final && log.decoder && log.utf8Tail !== undefined) {
    const rest = log.decoder.decode();
    log.utf8Tail = undefined;
    if (rest) log.partialOut += rest;
  }
  if (log.partialOut.length) {
    const p = log.partialOut;
    log.partialOut = '';
    sink.line(log, 1, p, ts);
  }
  if (log.partialErr.length) {
    const p = log.partialErr;
    log.partialErr = '';
    sink.line(log, 2, p, ts);
  }
}

/** Keeps `raw` as the vertex's latest line (what a terminal shows after CR redraws) and returns it. */
export function keepLine(log: VertexLog, raw: string, maxLines: number): string {
  let line = raw;
  const cr = line.indexOf('\r');
  if (cr >= 0) {
    // Progress bars redraw with CR: keep what a terminal would end up showing.
    const parts = line.split('\r');
    line = '';
    for (let i = parts.length - 1; i >= 0; i--) {
      if (parts[i]!.length > 0) {
        line = parts[i]!;
        break;
      }
    }
  }
  const ring = log.logRing;
  if (ring.length < maxLines) ring.push(line);
  else {
    ring[log.logHead] = line;
    log.logHead = (log.logHead + 1) % maxLines;
  }
  log.logCount++;
  return line;
}

/** The kept lines, oldest first. */
export function lastLines(log: VertexLog): string[] {
  const ring = log.logRing;
  if (log.logHead === 0) return ring.slice();
  return ring.slice(log.logHead).concat(ring.slice(0, log.logHead));
}

/** The bytes of an unfinished UTF-8 character at the end of (held + bytes), or undefined. */
function pendingTail(held: Uint8Array | undefined, bytes: Uint8Array): Uint8Array | undefined {
  let tail = bytes;
  if (held !== undefined && bytes.length < 4) {
    tail = new Uint8Array(held.length + bytes.length);
    tail.set(held);
    tail.set(bytes, held.length);
  }
  if (!endsInsideUtf8Sequence(tail)) return undefined;
  return tail.slice(Math.max(0, tail.length - 3));
}
