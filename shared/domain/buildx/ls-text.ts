import { emptyNode, type ParsedBuilder } from './model';
import { parsePlatformList } from './platform-list';

export interface LsTextResult {
  builders: ParsedBuilder[];
  /** The builder marked `*`; undefined when none is marked. */
  current: string | undefined;
}

const COLUMNS = ['NAME/NODE', 'DRIVER/ENDPOINT', 'STATUS', 'BUILDKIT', 'PLATFORMS'] as const;
type Column = (typeof COLUMNS)[number];

/**
 * Parses the `docker buildx ls` table, both forms:
 * - buildx ≥ 0.13: `default*` for the current builder, node rows prefixed ` \_ ` in both columns;
 * - older: `default *`, node rows indented by two spaces, and no BUILDKIT column before 0.10.
 * Columns are cut at the header's offsets (tabwriter aligns every row to them), so empty cells
 * such as an inactive node's version do not shift the rest.
 */
export function parseLsText(output: string): LsTextResult {
  const lines = output.split('\n').map((l) => l.replace(/\r$/, ''));
  const headerIndex = lines.findIndex((l) => l.startsWith('NAME/NODE'));
  if (headerIndex < 0) return { builders: [], current: undefined };
  const header = lines[headerIndex]!;
  const starts = COLUMNS.map((c) => ({ column: c, at: header.indexOf(c) }))
    .filter((c) => c.at >= 0)
    .sort((a, b) => a.at - b.at);
  const cell = (line: string, column: Column): string => {
    const i = starts.findIndex((s) => s.column === column);
    if (i < 0) return '';
    const from = starts[i]!.at;
    const to = i + 1 < starts.length ? starts[i + 1]!.at : line.length;
    return line.slice(from, to).trim();
  };

  const builders: ParsedBuilder[] = [];
  let current: string | undefined;
  for (const line of lines.slice(headerIndex + 1)) {
    if (!line.trim()) continue;
    const isNode = /^\s/.test(line);
    const name = stripIndent(cell(line, 'NAME/NODE'));
    const second = stripIndent(cell(line, 'DRIVER/ENDPOINT'));
    const status = cell(line, 'STATUS');
    if (!isNode) {
      // `name*` (≥ 0.13) or `name *` (older) marks the current builder.
      const m = /^(\S+?)\s*(\*)?$/.exec(name);
      if (!m) continue;
      const builderName = m[1]!;
      if (m[2] && current === undefined) current = builderName;
      const builder: ParsedBuilder = { name: builderName, driver: second, nodes: [] };
      if (m[2]) builder.current = true;
      if (status === 'error') builder.error = 'buildx could not load this builder (see `docker buildx ls` errors)';
      builders.push(builder);
      continue;
    }
    const owner = builders[builders.length - 1];
    if (!owner) continue;
    const node = emptyNode(name, second);
    if (status) node.status = status;
    if (status === 'error') node.error = 'buildx could not get the status of this node';
    const version = cell(line, 'BUILDKIT');
    if (version) node.buildkitVersion = version;
    const list = parsePlatformList(cell(line, 'PLATFORMS'));
    node.platforms = list.platforms;
    node.preferredPlatforms = list.preferred;
    if (list.truncated) node.platformsTruncated = true;
    owner.nodes.push(node);
  }
  return { builders, current };
}

function stripIndent(text: string): string {
  return text.replace(/^\\_\s*/, '').trim();
}
