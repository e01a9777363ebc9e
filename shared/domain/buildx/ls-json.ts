import { z } from 'zod';
import type { ParsedBuilder, ParsedNode } from './model';
import { jsonLines } from './json-lines';
import { normalizePlatforms } from './platform-list';

// Loose on purpose: every field buildx may leave out (omitempty, older versions) is optional.
const nodeJson = z.object({
  Name: z.string(),
  Endpoint: z.string().optional(),
  Status: z.string().optional(),
  Version: z.string().optional(),
  IDs: z.array(z.string()).nullish(),
  Platforms: z.array(z.string()).nullish(),
  Labels: z.record(z.string(), z.string()).nullish(),
  Flags: z.array(z.string()).nullish(),
  DriverOpts: z.record(z.string(), z.string()).nullish(),
  Err: z.string().optional(),
});

const builderJson = z.object({
  Name: z.string(),
  Driver: z.string().optional(),
  LastActivity: z.string().optional(),
  Dynamic: z.boolean().optional(),
  /** buildx ≥ 0.24 only. */
  Current: z.boolean().optional(),
  Err: z.string().optional(),
  Nodes: z.array(nodeJson).nullish(),
});

export interface LsJsonResult {
  builders: ParsedBuilder[];
  /** Lines that were not a builder object (kept so a caller can say what it could not read). */
  unreadable: string[];
}

/**
 * Parses `docker buildx ls --format json`: NDJSON, one builder per line. buildx 0.13.x prints a
 * builder again for each of its nodes (docker/buildx#2969), so lines are de-duplicated by Name.
 */
export function parseLsJson(output: string): LsJsonResult {
  const byName = new Map<string, ParsedBuilder>();
  const unreadable: string[] = [];
  for (const { text, json, value } of jsonLines(output)) {
    const parsed = json ? builderJson.safeParse(value) : undefined;
    if (!parsed?.success) {
      unreadable.push(text);
      continue;
    }
    const b = parsed.data;
    if (byName.has(b.Name)) continue;
    byName.set(b.Name, toBuilder(b));
  }
  return { builders: [...byName.values()], unreadable };
}

function toBuilder(b: z.infer<typeof builderJson>): ParsedBuilder {
  const builder: ParsedBuilder = { name: b.Name, driver: b.Driver ?? '', nodes: (b.Nodes ?? []).map(toNode) };
  const activity = isoTime(b.LastActivity);
  if (activity) builder.lastActivity = activity;
  if (b.Dynamic !== undefined) builder.dynamic = b.Dynamic;
  if (b.Current !== undefined) builder.current = b.Current;
  if (b.Err) builder.error = b.Err.trim();
  return builder;
}

function toNode(n: z.infer<typeof nodeJson>): ParsedNode {
  const node: ParsedNode = {
    name: n.Name,
    endpoint: n.Endpoint ?? '',
    platforms: normalizePlatforms(n.Platforms ?? []),
    preferredPlatforms: [],
    driverOpts: { ...(n.DriverOpts ?? {}) },
    buildkitdFlags: [...(n.Flags ?? [])],
    labels: { ...(n.Labels ?? {}) },
  };
  if (n.Status) node.status = n.Status;
  if (n.Version) node.buildkitVersion = n.Version;
  if (n.Err) {
    node.error = n.Err.trim();
    node.status = 'error';
  }
  return node;
}

/** Go's zero time means "never"; anything else that parses is returned as ISO. */
function isoTime(text: string | undefined): string | undefined {
  if (!text || text.startsWith('0001-01-01')) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
