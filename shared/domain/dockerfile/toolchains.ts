/**
 * Which compilers and package builds a RUN script runs, found by command position in the shell
 * lexer's tokens: `go build`, `cargo build`, `make`, `npm ci`, `dotnet publish`, … (not package
 * names or words in strings).
 */
import { ASSIGN_RE, PIPELINE_END, lexShell, structureOf } from './shell';

export interface ToolchainUse {
  toolchain: 'go' | 'rust' | 'c' | 'node' | 'java' | 'dotnet';
  /** Offset in the script. */
  index: number;
  command: string;
}

const EXPANSION_WORD_RE = /^\$(?:\{.*\}|[A-Za-z_][A-Za-z0-9_]*)$/s;
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
      return rest.length === 0 || sub === 'install' || sub === 'add' ? 'node' : undefined;
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
  const st = structureOf(tokens);
  const out: ToolchainUse[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t?.kind !== 'word' || !st.commandStart[k]) continue;
    // Skip `VAR=value` prefixes and wrappers to reach the command itself.
    let c = k;
    while (c < tokens.length) {
      const w = tokens[c];
      if (w?.kind !== 'word') break;
      // A lone expansion (`${DEBUG:+env X=1}`) expands to a prefix or nothing: the command follows it.
      if (ASSIGN_RE.test(w.text) || WRAPPERS.has(commandName(w.text)) || EXPANSION_WORD_RE.test(w.text) || (c > k && w.text.startsWith('-'))) c++;
      else break;
    }
    const cmd = tokens[c];
    if (cmd?.kind !== 'word') continue;
    // The command's own words end at the next `|` too: each word is looked at once.
    let end = c;
    while (end + 1 < tokens.length && !(tokens[end + 1]?.kind === 'op' && (PIPELINE_END.has(tokens[end + 1]?.text ?? '') || tokens[end + 1]?.text === '|'))) end++;
    const rest = tokens.slice(c + 1, end + 1).filter((w) => w.kind === 'word').map((w) => w.text);
    const toolchain = classify(commandName(cmd.text), rest);
    if (toolchain) out.push({ toolchain, index: cmd.start, command: src.slice(cmd.start, tokens[end]?.end ?? cmd.end) });
    k = Math.max(k, c);
  }
  return out;
}
