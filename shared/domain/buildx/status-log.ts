/**
 * The build log a `.dockerbuild` file carries (`application/vnd.buildkit.status.v0`): BuildKit's progress as a run
 * of protobuf `StatusResponse` messages, each after its length (4 bytes, little-endian). Turned into the JSON lines
 * of `--progress=rawjson`, so the app's one progress parser shows it in the same lanes and terminal as a live build.
 * Only the fields the parser reads are decoded (control.proto: Vertex, VertexStatus, VertexLog; Timestamp).
 */

export const STATUS_LOG_MEDIA_TYPE = 'application/vnd.buildkit.status.v0';

class Reader {
  pos = 0;
  constructor(
    readonly buf: Uint8Array,
    readonly end = buf.length,
  ) {}
  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return result;
      shift += 7;
      if (shift > 63) throw new Error('varint too long');
    }
  }
  bytes(): Uint8Array {
    const len = this.varint();
    if (this.pos + len > this.end) throw new Error('truncated field');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 2) this.bytes();
    else if (wire === 1) this.pos += 8;
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
  /** Calls `field` for each (number, wire type) of the message; `field` reads it or returns false to skip it. */
  each(field: (n: number, wire: number) => boolean | void): void {
    while (this.pos < this.end) {
      const key = this.varint();
      const n = Math.floor(key / 8);
      const wire = key & 7;
      if (field(n, wire) !== true) this.skip(wire);
    }
  }
}

const text = new TextDecoder();
const sub = (bytes: Uint8Array) => new Reader(bytes);

function timestamp(bytes: Uint8Array): string | undefined {
  let seconds = 0;
  let nanos = 0;
  const r = sub(bytes);
  r.each((n, wire) => {
    if (wire !== 0) return false;
    if (n === 1) seconds = r.varint();
    else if (n === 2) nanos = r.varint();
    else return false;
    return true;
  });
  if (seconds <= 0) return undefined;
  // RFC 3339 with nanoseconds, as Go prints it
  const iso = new Date(seconds * 1000).toISOString().slice(0, 19);
  return `${iso}.${String(nanos).padStart(9, '0')}Z`;
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

type Obj = Record<string, unknown>;

/** Decodes one message: string fields, repeated strings, bools, ints, timestamps and bytes by field number. */
function message(bytes: Uint8Array, fields: Record<number, readonly [name: string, kind: 'string' | 'strings' | 'bool' | 'int' | 'time' | 'bytes']>): Obj {
  const out: Obj = {};
  const r = sub(bytes);
  r.each((n, wire) => {
    const spec = fields[n];
    if (!spec) return false;
    const [name, kind] = spec;
    if (kind === 'bool' || kind === 'int') {
      if (wire !== 0) return false;
      const v = r.varint();
      out[name] = kind === 'bool' ? v !== 0 : v;
      return true;
    }
    if (wire !== 2) return false;
    const value = r.bytes();
    if (kind === 'string') out[name] = text.decode(value);
    else if (kind === 'strings') ((out[name] ??= []) as string[]).push(text.decode(value));
    else if (kind === 'bytes') out[name] = base64(value);
    else {
      const t = timestamp(value);
      if (t) out[name] = t;
    }
    return true;
  });
  return out;
}

const VERTEX = { 1: ['digest', 'string'], 2: ['inputs', 'strings'], 3: ['name', 'string'], 4: ['cached', 'bool'], 5: ['started', 'time'], 6: ['completed', 'time'], 7: ['error', 'string'] } as const;
const STATUS = { 1: ['id', 'string'], 2: ['vertex', 'string'], 3: ['name', 'string'], 4: ['current', 'int'], 5: ['total', 'int'], 6: ['timestamp', 'time'], 7: ['started', 'time'], 8: ['completed', 'time'] } as const;
const LOG = { 1: ['vertex', 'string'], 2: ['timestamp', 'time'], 3: ['stream', 'int'], 4: ['data', 'bytes'] } as const;

/** One StatusResponse as the JSON object buildx's rawjson progress prints for it. */
function statusResponse(bytes: Uint8Array): Obj {
  const vertexes: Obj[] = [];
  const statuses: Obj[] = [];
  const logs: Obj[] = [];
  const r = sub(bytes);
  r.each((n, wire) => {
    if (wire !== 2 || n < 1 || n > 3) return false;
    const value = r.bytes();
    if (n === 1) vertexes.push(message(value, VERTEX));
    else if (n === 2) statuses.push(message(value, STATUS));
    else logs.push(message(value, LOG));
    return true;
  });
  const out: Obj = {};
  if (vertexes.length) out.vertexes = vertexes;
  if (statuses.length) out.statuses = statuses;
  if (logs.length) out.logs = logs;
  return out;
}

/**
 * The status log as rawjson lines (one JSON object per line). Throws on bytes that are not a status log; a log cut
 * short keeps the messages before the cut.
 */
export function statusLogToRawjson(bytes: Uint8Array): string {
  const lines: string[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  while (pos + 4 <= bytes.length) {
    const len = view.getUint32(pos, true);
    if (pos + 4 + len > bytes.length) {
      if (lines.length === 0) throw new Error('not a BuildKit status log');
      break;
    }
    lines.push(JSON.stringify(statusResponse(bytes.subarray(pos + 4, pos + 4 + len))));
    pos += 4 + len;
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}
