/**
 * Dockerfile variable substitution, as BuildKit applies it to FROM, COPY --from and ARG defaults:
 * `$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR-word}`, `${VAR:+word}`, `${VAR+word}`, `${VAR:?msg}`,
 * `${VAR#glob}`, `${VAR##glob}`, `${VAR%glob}`, `${VAR%%glob}`, `${VAR/glob/repl}`, `${VAR//glob/repl}`;
 * quotes are removed, the escape character keeps the next character literal.
 */

export type Lookup = (name: string) => string | undefined;

export interface Expansion {
  value: string;
  /** Names referenced that were unset, in order of first use. */
  unresolved: string[];
}

function globToRegExp(glob: string, anchor: 'start' | 'end' | 'none', greedy: boolean): RegExp {
  let body = '';
  for (const ch of glob) {
    if (ch === '*') body += greedy ? '.*' : '.*?';
    else if (ch === '?') body += '.';
    else body += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  if (anchor === 'start') return new RegExp(`^(?:${body})`, 's');
  if (anchor === 'end') return new RegExp(`(?:${body})$`, 's');
  return new RegExp(body, 's');
}

function removeSuffix(value: string, glob: string, longest: boolean): string {
  // The shortest suffix is the one starting furthest right.
  const re = globToRegExp(glob, 'end', true);
  const starts = Array.from({ length: value.length + 1 }, (_, i) => i);
  const ordered = longest ? starts : starts.reverse();
  for (const s of ordered) {
    const m = re.exec(value.slice(s));
    if (m && m.index === 0) return value.slice(0, s);
  }
  return value;
}

export function expandDockerfileWord(text: string, lookup: Lookup, escapeChar = '\\'): Expansion {
  const unresolved: string[] = [];
  const get = (name: string): string | undefined => {
    const v = lookup(name);
    if (v === undefined && !unresolved.includes(name)) unresolved.push(name);
    return v;
  };
  const sub = (word: string): string => {
    const r = expandDockerfileWord(word, lookup, escapeChar);
    for (const n of r.unresolved) if (!unresolved.includes(n)) unresolved.push(n);
    return r.value;
  };

  let out = '';
  let quote: '"' | "'" | undefined;
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else out += c;
      i++;
      continue;
    }
    if (c === escapeChar && i + 1 < text.length) {
      out += text[i + 1];
      i += 2;
      continue;
    }
    if ((c === '"' || c === "'") && quote === undefined) {
      quote = c;
      i++;
      continue;
    }
    if (c === '"' && quote === '"') {
      quote = undefined;
      i++;
      continue;
    }
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const simple = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
    if (simple) {
      out += get(simple[0]) ?? '';
      i += 1 + simple[0].length;
      continue;
    }
    if (text[i + 1] !== '{') {
      out += c;
      i++;
      continue;
    }
    // Find the matching brace, allowing nested `${...}` in the word.
    let depth = 0;
    let j = i + 1;
    for (; j < text.length; j++) {
      if (text[j] === escapeChar) {
        j++;
        continue;
      }
      if (text[j] === '{') depth++;
      else if (text[j] === '}' && --depth === 0) break;
    }
    const inner = text.slice(i + 2, j);
    i = j + 1;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(.*)$/s.exec(inner);
    if (!m) continue;
    const name = m[1] ?? '';
    const rest = m[2] ?? '';
    const raw = lookup(name);
    const op = /^(:-|:\+|:\?|-|\+|\?|##|#|%%|%|\/\/|\/)?(.*)$/s.exec(rest);
    const kind = op?.[1] ?? '';
    const word = op?.[2] ?? '';
    switch (kind) {
      case '':
        out += get(name) ?? '';
        break;
      case ':-':
        out += raw ? raw : sub(word);
        break;
      case '-':
        out += raw !== undefined ? raw : sub(word);
        break;
      case ':+':
        out += raw ? sub(word) : '';
        break;
      case '+':
        out += raw !== undefined ? sub(word) : '';
        break;
      case ':?':
      case '?':
        out += get(name) ?? '';
        break;
      case '#':
      case '##': {
        const v = get(name) ?? '';
        const re = globToRegExp(sub(word), 'start', kind === '##');
        out += v.replace(re, '');
        break;
      }
      case '%':
      case '%%':
        out += removeSuffix(get(name) ?? '', sub(word), kind === '%%');
        break;
      default: {
        const v = get(name) ?? '';
        const slash = word.indexOf('/');
        const pattern = sub(slash < 0 ? word : word.slice(0, slash));
        const repl = slash < 0 ? '' : sub(word.slice(slash + 1));
        const re = globToRegExp(pattern, 'none', true);
        out += kind === '//' ? v.replace(new RegExp(re.source, 'gs'), () => repl) : v.replace(re, () => repl);
      }
    }
  }
  return { value: out, unresolved };
}
