/**
 * `WWW-Authenticate` challenges as registries send them:
 * `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"`
 * or `Basic realm="Registry Realm"`. Quoted values may contain commas; several challenges may share a header.
 */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

export function parseChallenges(header: string | null | undefined): Challenge[] {
  if (!header) return [];
  const out: Challenge[] = [];
  let i = 0;
  const text = header;
  const skip = (re: RegExp) => {
    while (i < text.length && re.test(text[i]!)) i++;
  };
  const token = () => {
    const start = i;
    skip(/[A-Za-z0-9!#$%&'*+.^_`|~-]/);
    return text.slice(start, i);
  };
  while (i < text.length) {
    skip(/[\s,]/);
    const scheme = token();
    if (!scheme) {
      i++;
      continue;
    }
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(challenge);
    for (;;) {
      skip(/\s/);
      const mark = i;
      const key = token();
      skip(/\s/);
      const token68 = text[i] === '=' && /^=*\s*(,|$)/.test(text.slice(i));
      if (!key || text[i] !== '=' || token68) {
        if (token68) {
          skip(/[^,]/);
          break;
        }
        // Not a parameter: the start of the next challenge (or token68 junk we do not use).
        i = key ? mark : i;
        if (!key) skip(/[^,]/);
        break;
      }
      i++;
      skip(/\s/);
      let value = '';
      if (text[i] === '"') {
        i++;
        while (i < text.length && text[i] !== '"') {
          if (text[i] === '\\' && i + 1 < text.length) i++;
          value += text[i];
          i++;
        }
        i++;
      } else {
        const start = i;
        skip(/[^,\s]/);
        value = text.slice(start, i);
      }
      challenge.params[key.toLowerCase()] = value;
      skip(/\s/);
      if (text[i] === ',') {
        i++;
        // A comma followed by `token=` continues this challenge; `token ` (space) starts the next one.
        const save = i;
        skip(/\s/);
        const next = token();
        skip(/\s/);
        const isParam = next !== '' && text[i] === '=';
        i = save;
        if (!isParam) break;
      } else {
        break;
      }
    }
  }
  return out;
}
