/**
 * Just enough of a POSIX shell lexer to tell where a RUN script branches on the architecture
 * (`case "$TARGETARCH" in ...`, `if [ "$TARGETARCH" = ... ]`, `[ ... ] && ...`) and where it names
 * one in a pipeline that already derives it. It never fails: unbalanced quotes run to the end.
 */

export interface ShellToken {
  kind: 'word' | 'op';
  text: string;
  start: number;
  end: number;
}

export interface ShellLex {
  tokens: ShellToken[];
  /** `[start, end)` of `# ...` comments. */
  comments: Array<[number, number]>;
}

const OP_CHARS = new Set([';', '&', '|', '(', ')', '\n']);

/** Skips a `$(...)`, `$((...))` or `${...}` opened at `i` (pointing at `$`); returns the index after it. */
function skipDollar(src: string, i: number): number {
  const open = src[i + 1];
  if (open !== '(' && open !== '{') return i + 1;
  const close = open === '(' ? ')' : '}';
  let depth = 0;
  let j = i + 1;
  while (j < src.length) {
    const c = src[j];
    if (c === '\\') {
      j += 2;
      continue;
    }
    if (c === "'" && open === '(') {
      j = skipSingle(src, j);
      continue;
    }
    if (c === '"') {
      j = skipDouble(src, j);
      continue;
    }
    if (c === '`') {
      j = skipBacktick(src, j);
      continue;
    }
    if (c === '$' && (src[j + 1] === '(' || src[j + 1] === '{')) {
      j = skipDollar(src, j);
      continue;
    }
    if (c === open) depth++;
    else if (c === close) {
      depth--;
      if (depth === 0) return j + 1;
    }
    j++;
  }
  return src.length;
}

function skipSingle(src: string, i: number): number {
  const end = src.indexOf("'", i + 1);
  return end < 0 ? src.length : end + 1;
}

function skipBacktick(src: string, i: number): number {
  let j = i + 1;
  while (j < src.length && src[j] !== '`') j += src[j] === '\\' ? 2 : 1;
  return Math.min(j + 1, src.length);
}

function skipDouble(src: string, i: number): number {
  let j = i + 1;
  while (j < src.length) {
    const c = src[j];
    if (c === '\\') j += 2;
    else if (c === '"') return j + 1;
    else if (c === '$') j = skipDollar(src, j);
    else if (c === '`') j = skipBacktick(src, j);
    else j++;
  }
  return src.length;
}

export function lexShell(src: string): ShellLex {
  const tokens: ShellToken[] = [];
  const comments: Array<[number, number]> = [];
  let i = 0;
  let wordStart = -1;
  const endWord = (at: number) => {
    if (wordStart >= 0) tokens.push({ kind: 'word', text: src.slice(wordStart, at), start: wordStart, end: at });
    wordStart = -1;
  };
  while (i < src.length) {
    const c = src[i] ?? '';
    if (c === '\\' && src[i + 1] === '\n') {
      // Line continuation inside the script: joins words like the shell does.
      i += 2;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      endWord(i);
      i++;
      continue;
    }
    if (c === '#' && wordStart < 0) {
      const nl = src.indexOf('\n', i);
      const end = nl < 0 ? src.length : nl;
      comments.push([i, end]);
      i = end;
      continue;
    }
    if (c === '<' || c === '>' || (c === '&' && src[i + 1] === '>')) {
      endWord(i);
      let j = i + 1;
      while (j < src.length && '<>&|-'.includes(src[j] ?? '')) j++;
      tokens.push({ kind: 'op', text: src.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    if (OP_CHARS.has(c)) {
      endWord(i);
      const two = src.slice(i, i + 2);
      const len = two === '&&' || two === '||' || two === ';;' ? 2 : 1;
      tokens.push({ kind: 'op', text: src.slice(i, i + len), start: i, end: i + len });
      i += len;
      continue;
    }
    if (wordStart < 0) wordStart = i;
    if (c === '\\') i += 2;
    else if (c === "'") i = skipSingle(src, i);
    else if (c === '"') i = skipDouble(src, i);
    else if (c === '`') i = skipBacktick(src, i);
    else if (c === '$') i = skipDollar(src, i);
    else i++;
  }
  endWord(Math.min(i, src.length));
  return { tokens, comments };
}

const LIST_END = new Set([';', ';;', '\n', '&', ')', '(']);
export const PIPELINE_END = new Set([...LIST_END, '&&', '||']);
// Words after which the next word starts a command.
const COMMAND_PREFIX_WORDS = new Set(['then', 'do', 'else', 'elif', 'if', 'while', 'until', '{', '!', 'time']);

export interface ArchContext {
  /** Text derives an architecture from the build (see isArchSource). */
  isArchSource(text: string): boolean;
  /** Distinct architectures a text names. */
  archCount(text: string): number;
}

export interface ArchCase {
  /** Offset of `case` in the script. */
  start: number;
  /** Branch patterns as written (quotes removed), `*` for the default branch. */
  patterns: string[];
  /** The default branch stops the build (`exit 1`, `false`); undefined when there is none. */
  defaultFails: boolean | undefined;
}

export interface ShellFacts {
  /** `[start, end)` ranges where architecture words are deliberate (mappings, branches). */
  excused: Array<[number, number]>;
  comments: Array<[number, number]>;
  /** Variables assigned (`NAME=...`, `export NAME=...`) whose value or branch derives an architecture. */
  archVariables: string[];
  /** Every `NAME=value` assignment, for the GOARCH check. */
  assignments: Array<{ name: string; value: string; start: number }>;
  /** `case` statements that branch on the architecture, for the coverage check. */
  archCases: ArchCase[];
}

/**
 * Where commands start, where each pipeline and and-or list ends, and which token closes each
 * `case` and `if`: one pass each, so scripts of any length are scanned in linear time.
 */
export interface Structure {
  commandStart: boolean[];
  pipelineEnd: number[];
  listEnd: number[];
  close: Map<number, number>;
}

export function structureOf(tokens: ShellToken[]): Structure {
  const n = tokens.length;
  const commandStart = new Array<boolean>(n).fill(false);
  for (let k = 0; k < n; k++) {
    const prev = tokens[k - 1];
    commandStart[k] =
      !prev ||
      (prev.kind === 'op' ? PIPELINE_END.has(prev.text) || prev.text === '|' : COMMAND_PREFIX_WORDS.has(prev.text) && commandStart[k - 1] === true);
  }
  const pipelineEnd = new Array<number>(n).fill(n - 1);
  const listEnd = new Array<number>(n).fill(n - 1);
  for (let k = n - 2; k >= 0; k--) {
    const next = tokens[k + 1];
    const stopsPipeline = next?.kind === 'op' && PIPELINE_END.has(next.text);
    const stopsList = next?.kind === 'op' && LIST_END.has(next.text);
    pipelineEnd[k] = stopsPipeline ? k : (pipelineEnd[k + 1] ?? n - 1);
    listEnd[k] = stopsList ? k : (listEnd[k + 1] ?? n - 1);
  }
  const close = new Map<number, number>();
  const open: Record<string, number[]> = { case: [], if: [] };
  for (let k = 0; k < n; k++) {
    const t = tokens[k];
    if (t?.kind !== 'word') continue;
    if ((t.text === 'case' || t.text === 'if') && commandStart[k]) open[t.text]?.push(k);
    else if (t.text === 'esac' || t.text === 'fi') {
      const opened = open[t.text === 'esac' ? 'case' : 'if']?.pop();
      if (opened !== undefined) close.set(opened, k);
    }
  }
  return { commandStart, pipelineEnd, listEnd, close };
}

export const ASSIGN_RE = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;

// `NAME=value` words: command prefixes, `export NAME=`, and arguments such as `go env -w NAME=`.
function assignmentsIn(tokens: ShellToken[], st: Structure): ShellFacts['assignments'] {
  const out: ShellFacts['assignments'] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t?.kind !== 'word') continue;
    const m = ASSIGN_RE.exec(t.text);
    if (m && (st.commandStart[k] || tokens[k - 1]?.kind === 'word')) {
      out.push({ name: m[1] ?? '', value: m[2] ?? '', start: t.start });
    }
  }
  return out;
}

/** Every `NAME=value` assignment in a script. */
export function shellAssignments(src: string): ShellFacts['assignments'] {
  const { tokens } = lexShell(src);
  return assignmentsIn(tokens, structureOf(tokens));
}

const unquoted = (w: string) => w.replace(/^(['"])(.*)\1$/s, '$2');

/** The branches of the `case` at `k` (its `in` at `inAt`, closed at `close`). */
function caseBranches(tokens: ShellToken[], st: Structure, inAt: number, close: number): Pick<ArchCase, 'patterns' | 'defaultFails'> {
  const patterns: string[] = [];
  let defaultFails: boolean | undefined;
  let inPattern = true;
  let isDefault = false;
  let fails = false;
  let depth = 0;
  const endBranch = () => {
    if (isDefault) defaultFails = defaultFails === false ? false : fails;
    inPattern = true;
    isDefault = false;
    fails = false;
  };
  for (let j = inAt + 1; j < close; j++) {
    const t = tokens[j];
    if (!t) continue;
    if (inPattern) {
      if (t.kind === 'op' && t.text === ')') inPattern = false;
      else if (t.kind === 'word') {
        const p = unquoted(t.text);
        patterns.push(p);
        if (p === '*') isDefault = true;
      }
      continue;
    }
    if (t.kind === 'word' && st.commandStart[j]) {
      if (t.text === 'case') depth++;
      if ((t.text === 'exit' || t.text === 'return') && !/^0?$/.test(tokens[j + 1]?.kind === 'word' ? (tokens[j + 1]?.text ?? '') : '')) fails = true;
      if (t.text === 'false') fails = true;
    }
    if (t.kind === 'word' && t.text === 'esac' && depth > 0) depth--;
    if (t.kind === 'op' && t.text === ';;' && depth === 0) endBranch();
  }
  if (!inPattern) endBranch();
  return { patterns, defaultFails };
}

/**
 * Finds the deliberate architecture handling in a script. Variables assigned from an architecture
 * source (or inside an architecture branch) are added to `derived` so later scripts recognise them.
 */
export function analyzeShell(src: string, derived: Set<string>, ctx: ArchContext): ShellFacts {
  const { tokens, comments } = lexShell(src);
  const st = structureOf(tokens);
  const span = (a: number, b: number) => src.slice(tokens[a]?.start ?? 0, tokens[b]?.end ?? 0);
  const endAt = (k: number) => tokens[k]?.end ?? src.length;
  let excused: Array<[number, number]> = [];
  let archCases: ArchCase[] = [];
  const assignments = assignmentsIn(tokens, st);
  const archVariables = new Set<string>();
  const last = tokens.length - 1;

  // Two rounds: a branch can assign a variable that a later branch switches on.
  for (let round = 0; round < 2; round++) {
    excused = [];
    archCases = [];
    const ifs: Array<{ k: number; condFrom: number; arch: boolean }> = [];
    const closeIf = (at: number) => {
      const open = ifs.pop();
      if (open?.arch) excused.push([tokens[open.k]?.start ?? 0, endAt(at)]);
    };
    for (let k = 0; k < tokens.length; k++) {
      const t = tokens[k];
      if (t?.kind !== 'word') continue;
      if (t.text === 'fi' && ifs.length > 0) {
        closeIf(k);
        continue;
      }
      if (!st.commandStart[k]) {
        const top = ifs[ifs.length - 1];
        if (t.text === 'then' && top && top.condFrom >= 0) {
          if (ctx.isArchSource(span(top.condFrom, k - 1))) top.arch = true;
          top.condFrom = -1;
        }
        continue;
      }
      if (t.text === 'case') {
        const close = st.close.get(k) ?? last;
        let inAt = k + 1;
        while (inAt < close && tokens[inAt]?.text !== 'in') inAt++;
        if (ctx.isArchSource(span(k + 1, inAt - 1))) {
          excused.push([t.start, endAt(close)]);
          archCases.push({ start: t.start, ...caseBranches(tokens, st, inAt, close) });
        }
      } else if (t.text === 'if') {
        ifs.push({ k, condFrom: k + 1, arch: false });
      } else if (t.text === 'elif') {
        const top = ifs[ifs.length - 1];
        if (top) top.condFrom = k + 1;
      } else if (t.text === 'then') {
        const top = ifs[ifs.length - 1];
        if (top && top.condFrom >= 0) {
          if (ctx.isArchSource(span(top.condFrom, k - 1))) top.arch = true;
          top.condFrom = -1;
        }
      } else if (t.text === '[' || t.text === '[[' || t.text === 'test') {
        const end = st.pipelineEnd[k] ?? last;
        const next = tokens[end + 1];
        if (next && (next.text === '&&' || next.text === '||') && ctx.isArchSource(span(k, end))) {
          excused.push([t.start, endAt(st.listEnd[k] ?? last)]);
        }
      } else if (t.text === 'for') {
        // `for arch in amd64 arm64; do` handles every architecture alike.
        const end = st.listEnd[k] ?? last;
        if (ctx.archCount(span(k, end)) >= 2) excused.push([t.start, endAt(end)]);
      }
    }
    while (ifs.length > 0) closeIf(last);
    // A pipeline that derives the architecture (`echo $TARGETARCH | sed s/amd64/x86_64/`) or names
    // several (`apt-get install gcc-aarch64-linux-gnu gcc-x86-64-linux-gnu`) is a mapping, not a pin.
    let from = 0;
    for (let k = 0; k <= tokens.length; k++) {
      const t = tokens[k];
      if (t && !(t.kind === 'op' && PIPELINE_END.has(t.text))) continue;
      if (k > from) {
        const text = span(from, k - 1);
        if (ctx.isArchSource(text) || ctx.archCount(text) >= 2) {
          excused.push([tokens[from]?.start ?? 0, endAt(k - 1)]);
        }
      }
      from = k + 1;
    }

    const merged = mergeSorted(excused);
    let grew = false;
    for (const a of assignments) {
      if (derived.has(a.name)) continue;
      if (ctx.isArchSource(a.value) || insideSorted(a.start, merged)) {
        derived.add(a.name);
        archVariables.add(a.name);
        grew = true;
      }
    }
    if (!grew) break;
  }
  return { excused, comments, archVariables: [...archVariables], assignments, archCases };
}

/** `[start, end)` ranges merged and sorted, so `insideSorted` is a binary search. */
export function mergeSorted(ranges: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const r of sorted) {
    const prev = out[out.length - 1];
    if (prev && r[0] <= prev[1]) prev[1] = Math.max(prev[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

export function insideSorted(pos: number, merged: Array<[number, number]>): boolean {
  let lo = 0;
  let hi = merged.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = merged[mid] ?? [0, 0];
    if (pos < r[0]) hi = mid - 1;
    else if (pos >= r[1]) lo = mid + 1;
    else return true;
  }
  return false;
}
