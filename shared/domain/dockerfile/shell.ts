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
const PIPELINE_END = new Set([...LIST_END, '&&', '||']);
// Words after which the next word starts a command.
const COMMAND_PREFIX_WORDS = new Set(['then', 'do', 'else', 'elif', 'if', 'while', 'until', '{', '!', 'time']);

export interface ArchContext {
  /** Text derives an architecture from the build (see isArchSource). */
  isArchSource(text: string): boolean;
  /** Distinct architectures a text names. */
  archCount(text: string): number;
}

export interface ShellFacts {
  /** `[start, end)` ranges where architecture words are deliberate (mappings, branches). */
  excused: Array<[number, number]>;
  comments: Array<[number, number]>;
  /** Variables assigned (`NAME=...`, `export NAME=...`) whose value or branch derives an architecture. */
  archVariables: string[];
  /** Every `NAME=value` assignment, for the GOARCH check. */
  assignments: Array<{ name: string; value: string; start: number }>;
}

function isCommandStart(tokens: ShellToken[], k: number): boolean {
  const prev = tokens[k - 1];
  if (!prev) return true;
  if (prev.kind === 'op') return PIPELINE_END.has(prev.text) || prev.text === '|';
  return COMMAND_PREFIX_WORDS.has(prev.text) && isCommandStart(tokens, k - 1);
}

/** Index of the token closing the construct opened at `k` (`case`…`esac`, `if`…`fi`), or the last token. */
function findClose(tokens: ShellToken[], k: number, open: string, close: string): number {
  let depth = 0;
  for (let j = k; j < tokens.length; j++) {
    const t = tokens[j];
    if (t?.kind !== 'word') continue;
    if (t.text === open && isCommandStart(tokens, j)) depth++;
    else if (t.text === close) {
      depth--;
      if (depth === 0) return j;
    }
  }
  return tokens.length - 1;
}

function endOf(tokens: ShellToken[], k: number, stops: Set<string>): number {
  let j = k;
  while (j + 1 < tokens.length) {
    const next = tokens[j + 1];
    if (next?.kind === 'op' && stops.has(next.text)) break;
    j++;
  }
  return j;
}

const ASSIGN_RE = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;

// `NAME=value` words: command prefixes, `export NAME=`, and arguments such as `go env -w NAME=`.
function assignmentsIn(tokens: ShellToken[]): ShellFacts['assignments'] {
  const out: ShellFacts['assignments'] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t?.kind !== 'word') continue;
    const m = ASSIGN_RE.exec(t.text);
    if (m && (isCommandStart(tokens, k) || tokens[k - 1]?.kind === 'word')) {
      out.push({ name: m[1] ?? '', value: m[2] ?? '', start: t.start });
    }
  }
  return out;
}

/** Every `NAME=value` assignment in a script. */
export function shellAssignments(src: string): ShellFacts['assignments'] {
  return assignmentsIn(lexShell(src).tokens);
}

/**
 * Finds the deliberate architecture handling in a script. Variables assigned from an architecture
 * source (or inside an architecture branch) are added to `derived` so later scripts recognise them.
 */
export function analyzeShell(src: string, derived: Set<string>, ctx: ArchContext): ShellFacts {
  const { tokens, comments } = lexShell(src);
  const span = (a: number, b: number) => src.slice(tokens[a]?.start ?? 0, tokens[b]?.end ?? 0);
  let excused: Array<[number, number]> = [];
  const assignments = assignmentsIn(tokens);
  const archVariables = new Set<string>();

  // Two rounds: a branch can assign a variable that a later branch switches on.
  for (let round = 0; round < 2; round++) {
    excused = [];
    for (let k = 0; k < tokens.length; k++) {
      const t = tokens[k];
      if (t?.kind !== 'word' || !isCommandStart(tokens, k)) continue;
      if (t.text === 'case') {
        const close = findClose(tokens, k, 'case', 'esac');
        let inAt = k + 1;
        while (inAt < close && tokens[inAt]?.text !== 'in') inAt++;
        if (ctx.isArchSource(span(k + 1, inAt - 1))) excused.push([t.start, tokens[close]?.end ?? src.length]);
      } else if (t.text === 'if') {
        const close = findClose(tokens, k, 'if', 'fi');
        let depth = 0;
        let condFrom = -1;
        let archBranch = false;
        for (let j = k; j <= close; j++) {
          const w = tokens[j];
          if (w?.kind !== 'word') continue;
          if (w.text === 'if' && isCommandStart(tokens, j)) depth++;
          if (w.text === 'fi') depth--;
          if (depth === 1 && (w.text === 'if' || w.text === 'elif') && isCommandStart(tokens, j)) condFrom = j + 1;
          if (depth === 1 && w.text === 'then' && condFrom >= 0) {
            if (ctx.isArchSource(span(condFrom, j - 1))) archBranch = true;
            condFrom = -1;
          }
        }
        if (archBranch) excused.push([t.start, tokens[close]?.end ?? src.length]);
      } else if (t.text === '[' || t.text === '[[' || t.text === 'test') {
        const end = endOf(tokens, k, PIPELINE_END);
        const next = tokens[end + 1];
        if (next && (next.text === '&&' || next.text === '||') && ctx.isArchSource(span(k, end))) {
          excused.push([t.start, tokens[endOf(tokens, k, LIST_END)]?.end ?? src.length]);
        }
      } else if (t.text === 'for') {
        // `for arch in amd64 arm64; do` handles every architecture alike.
        const end = endOf(tokens, k, LIST_END);
        if (ctx.archCount(span(k, end)) >= 2) excused.push([t.start, tokens[end]?.end ?? src.length]);
      }
    }
    // A pipeline that derives the architecture (`echo $TARGETARCH | sed s/amd64/x86_64/`) or names
    // several (`apt-get install gcc-aarch64-linux-gnu gcc-x86-64-linux-gnu`) is a mapping, not a pin.
    let from = 0;
    for (let k = 0; k <= tokens.length; k++) {
      const t = tokens[k];
      if (t && !(t.kind === 'op' && PIPELINE_END.has(t.text))) continue;
      if (k > from) {
        const text = span(from, k - 1);
        if (ctx.isArchSource(text) || ctx.archCount(text) >= 2) {
          excused.push([tokens[from]?.start ?? 0, tokens[k - 1]?.end ?? src.length]);
        }
      }
      from = k + 1;
    }

    const inExcused = (pos: number) => excused.some(([a, b]) => pos >= a && pos < b);
    let grew = false;
    for (const a of assignments) {
      if (derived.has(a.name)) continue;
      if (ctx.isArchSource(a.value) || inExcused(a.start)) {
        derived.add(a.name);
        archVariables.add(a.name);
        grew = true;
      }
    }
    if (!grew) break;
  }
  return { excused, comments, archVariables: [...archVariables], assignments };
}

export interface ToolchainUse {
  toolchain: 'go' | 'rust' | 'c' | 'node' | 'java' | 'dotnet';
  /** Offset in the script. */
  index: number;
  command: string;
}

const WRAPPERS = new Set(['sudo', 'env', 'exec', 'time', 'nice', 'command', 'xargs']);
const C_COMPILER_RE = /^(?:[\w.]+-)*(?:gcc|g\+\+|cc|c\+\+|clang|clang\+\+)(?:-\d+)?$|^xx-clang(?:\+\+)?$/;
const JAVA_GOALS_RE = /^(?:package|install|verify|build|assemble|bootJar|shadowJar|jar|compile)$/;

function commandName(word: string): string {
  const unquoted = word.replace(/^["']|["']$/g, '');
  return unquoted.slice(unquoted.lastIndexOf('/') + 1);
}

function classify(name: string, rest: string[]): ToolchainUse['toolchain'] | undefined {
  const sub = rest.find((w) => !w.startsWith('-') && !w.startsWith('+'));
  switch (name) {
    case 'go':
    case 'xx-go':
      return sub === 'build' || sub === 'install' ? 'go' : undefined;
    case 'cargo':
    case 'xx-cargo':
      return sub && ['build', 'install', 'zigbuild', 'auditable', 'chef'].includes(sub) ? 'rust' : undefined;
    case 'cross':
      return sub === 'build' ? 'rust' : undefined;
    case 'rustc':
      return 'rust';
    case 'make':
    case 'cmake':
    case 'ninja':
    case 'meson':
    case 'configure':
      return 'c';
    case 'npm':
    case 'pnpm':
      return sub && ['ci', 'install', 'i', 'rebuild', 'add'].includes(sub) ? 'node' : undefined;
    case 'yarn':
      return sub === undefined || sub === 'install' || sub === 'add' ? 'node' : undefined;
    case 'node-gyp':
      return 'node';
    case 'mvn':
    case 'mvnw':
    case 'gradle':
    case 'gradlew':
      return rest.some((w) => JAVA_GOALS_RE.test(w)) ? 'java' : undefined;
    case 'dotnet':
      return sub === 'publish' || sub === 'build' ? 'dotnet' : undefined;
    default:
      return C_COMPILER_RE.test(name) ? 'c' : undefined;
  }
}

/** Compilers and package builds a script runs, in order. Only command words count, not package names. */
export function findToolchains(src: string): ToolchainUse[] {
  const { tokens } = lexShell(src);
  const out: ToolchainUse[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t?.kind !== 'word' || !isCommandStart(tokens, k)) continue;
    // Skip `VAR=value` prefixes and wrappers to reach the command itself.
    let c = k;
    while (c < tokens.length) {
      const w = tokens[c];
      if (w?.kind !== 'word') break;
      if (ASSIGN_RE.test(w.text) || WRAPPERS.has(commandName(w.text)) || (c > k && w.text.startsWith('-'))) c++;
      else break;
    }
    const cmd = tokens[c];
    if (cmd?.kind !== 'word') continue;
    const end = endOf(tokens, c, PIPELINE_END);
    const rest = tokens.slice(c + 1, end + 1).filter((w) => w.kind === 'word').map((w) => w.text);
    const toolchain = classify(commandName(cmd.text), rest);
    if (toolchain) out.push({ toolchain, index: cmd.start, command: src.slice(cmd.start, tokens[end]?.end ?? cmd.end) });
    k = Math.max(k, c);
  }
  return out;
}
