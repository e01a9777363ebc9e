/**
 * What the buildx CLI tells about builders, whichever output it came from (`ls --format json`,
 * the `ls` table, or `inspect`). Optional fields are the ones some outputs or versions lack.
 */
export interface ParsedNode {
  name: string;
  endpoint: string;
  /** `running`, `inactive`, `stopped`, `booting`, `error`... as buildx prints it; absent when unknown. */
  status?: string;
  /** Why buildx could not load or reach this node. */
  error?: string;
  buildkitVersion?: string;
  /** Normalised platforms the node can build, in buildx's order (configured ones first). */
  platforms: string[];
  /** Platforms the user configured with `--platform` (marked `*` in text output); empty when unknown. */
  preferredPlatforms: string[];
  /** `platforms` is only part of the list (a shortened `ls` table): ask `inspect` or `ls --format json` for all. */
  platformsTruncated?: true;
  driverOpts: Record<string, string>;
  buildkitdFlags: string[];
  labels: Record<string, string>;
}

export interface ParsedBuilder {
  name: string;
  driver: string;
  /** ISO time, when buildx knows it. */
  lastActivity?: string;
  dynamic?: boolean;
  /** Only buildx ≥ 0.24 says so in JSON, and the table marks it with `*`; otherwise found another way. */
  current?: boolean;
  /** Why buildx could not load the builder at all. */
  error?: string;
  nodes: ParsedNode[];
}

export const emptyNode = (name: string, endpoint: string): ParsedNode => ({
  name,
  endpoint,
  platforms: [],
  preferredPlatforms: [],
  driverOpts: {},
  buildkitdFlags: [],
  labels: {},
});
