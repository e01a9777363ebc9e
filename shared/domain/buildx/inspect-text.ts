import { emptyNode, type ParsedBuilder, type ParsedNode } from './model';
import { parsePlatformList } from './platform-list';

/**
 * Parses `docker buildx inspect [--bootstrap] [NAME]` text (there is no JSON for inspect in 0.13).
 * Handles both key spellings: `Flags:` / `Buildkit:` before buildx 0.13, `BuildKit daemon flags:` /
 * `BuildKit version:` since. Indented lines belong to the section above (Labels, GC Policy...).
 * Returns undefined when the text has no `Name:` line.
 */
export function parseInspect(output: string): ParsedBuilder | undefined {
  let builder: ParsedBuilder | undefined;
  let node: ParsedNode | undefined;
  let inNodes = false;
  let section: 'labels' | 'other' | undefined;

  for (const raw of output.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (!line.trim()) continue;
    if (/^\s/.test(line)) {
      // A section's content: only labels are kept.
      if (section === 'labels' && node) {
        const kv = splitKey(line.trim());
        if (kv) node.labels[kv.key] = kv.value;
      }
      continue;
    }
    section = undefined;
    const kv = splitKey(line);
    if (!kv) continue;
    const key = kv.key.toLowerCase();
    const value = kv.value;

    if (!inNodes) {
      if (key === 'nodes' && value === '') {
        inNodes = true;
      } else if (key === 'name' && !builder) {
        builder = { name: value, driver: '', nodes: [] };
      } else if (builder && key === 'driver') {
        builder.driver = value;
      } else if (builder && key === 'last activity') {
        const iso = goTimeToIso(value);
        if (iso) builder.lastActivity = iso;
      } else if (builder && key === 'error') {
        builder.error = value;
      }
      continue;
    }

    if (key === 'name') {
      node = emptyNode(value, '');
      builder?.nodes.push(node);
      continue;
    }
    if (!node) continue;
    switch (key) {
      case 'endpoint':
        node.endpoint = value;
        break;
      case 'driver options':
        node.driverOpts = parseDriverOpts(value);
        break;
      case 'status':
        node.status = value;
        break;
      case 'error':
        node.error = value;
        node.status = 'error';
        break;
      case 'buildkit daemon flags':
      case 'flags': // buildx < 0.13
        node.buildkitdFlags = value.split(/\s+/).filter(Boolean);
        break;
      case 'buildkit version':
      case 'buildkit': // buildx < 0.13
        node.buildkitVersion = value;
        break;
      case 'platforms': {
        const list = parsePlatformList(value);
        node.platforms = list.platforms;
        node.preferredPlatforms = list.preferred;
        break;
      }
      case 'labels':
        section = 'labels';
        break;
      default:
        section = 'other';
        break;
    }
  }
  return builder;
}

/** `Key:   value` → { key, value }; the key is everything before the first colon. */
function splitKey(line: string): { key: string; value: string } | undefined {
  const i = line.indexOf(':');
  if (i <= 0) return undefined;
  return { key: line.slice(0, i).trim(), value: line.slice(i + 1).trim() };
}

/** Driver options as Go's `%q` prints them: `image="moby/buildkit:buildx-stable-1" network="host"`. */
export function parseDriverOpts(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([^\s=]+)="((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out[m[1]!] = m[2]!.replace(/\\(.)/g, '$1');
  }
  return out;
}

/** Go's default time format: `2026-11-27 23:44:59 +0000 UTC` (sometimes with fractional seconds). */
export function goTimeToIso(text: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)? ([+-]\d{2})(\d{2})/.exec(text.trim());
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}T${m[2]}${(m[3] ?? '').slice(0, 4)}${m[4]}:${m[5]}`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
