import { normalizePlatform } from '../platform';

/**
 * What the bracket prefix of a vertex name says. The Dockerfile frontend writes
 * `[<platform>[-><target>] ][<stage> ]<N>/<M>] <instruction>` (platform only in multi-platform builds,
 * step index right-aligned so `[ 1/10]` happens), buildx writes `[internal]`, `[auth]` and
 * `[linux/amd64] <exporter step>`, and bake/compose put the target first: `[web linux/arm64 2/3]`.
 */
export interface VertexName {
  /** The name without the bracket prefix (`RUN apk add curl`), or the whole name when it has none. */
  text: string;
  /** Platform the step is for, normalised (`linux/arm64`). For `linux/amd64->arm64` it is the target. */
  platform?: string;
  /** The platform it runs on when it differs from the target (`linux/amd64` in `linux/amd64->arm64`). */
  buildPlatform?: string;
  /** Dockerfile stage name (`builder`, `stage-1`). */
  stage?: string;
  /** bake / compose target that prefixed the name. */
  target?: string;
  /** `3/4` → 3 and 4. */
  stepIndex?: number;
  stepTotal?: number;
  /** `2/3`, or `internal` / `auth` for those vertices. */
  label?: string;
  /** `[internal]` or `[auth]` bookkeeping vertex (build definition, context, metadata, tokens). */
  internal: boolean;
}

const STEP_RE = /^(\d+)\/(\d+)$/;
// os[(osversion)]/arch[/variant], optionally ->arch[/variant] or ->os/arch[/variant]
const PLATFORM_RE = /^([a-z][a-z0-9_.]*(?:\([^)]*\))?\/[a-z0-9_.-]+(?:\/[a-z0-9_.-]+)?)(?:->([a-z0-9_./()-]+))?$/i;

const GOOS = new Set([
  'aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'illumos', 'ios', 'js', 'linux',
  'netbsd', 'openbsd', 'plan9', 'solaris', 'wasip1', 'windows',
]);

const cache = new Map<string, VertexName>();
const CACHE_LIMIT = 4096;

/** Parses a vertex name. Memoised: BuildKit repeats the same name on every update of a vertex. */
export function parseVertexName(name: string): VertexName {
  const hit = cache.get(name);
  if (hit) return hit;
  const parsed = parseUncached(name);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(name, parsed);
  return parsed;
}

function parseUncached(name: string): VertexName {
  if (name.charCodeAt(0) !== 91 /* [ */) return { text: name, internal: false };
  const close = name.indexOf(']');
  if (close < 0) return { text: name, internal: false };
  const inner = name.slice(1, close).trim();
  const text = name.slice(close + 1).trimStart();
  const tokens = inner.split(/\s+/).filter(Boolean);
  if (tokens.length === 0) return { text: name, internal: false };

  const out: VertexName = { text, internal: false };
  const rest: string[] = [];
  let platformAt = -1;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    const step = STEP_RE.exec(tok);
    if (step && i === tokens.length - 1) {
      out.stepIndex = Number(step[1]);
      out.stepTotal = Number(step[2]);
      out.label = `${out.stepIndex}/${out.stepTotal}`;
      continue;
    }
    if (platformAt < 0 && !step) {
      const p = PLATFORM_RE.exec(tok);
      if (p) {
        platformAt = rest.length;
        const base = normalizePlatform(p[1]!);
        if (p[2]) {
          // `->arm/v7` keeps the OS, `->windows/amd64` names it.
          const first = p[2].split(/[/(]/)[0]!.toLowerCase();
          const target = GOOS.has(first) ? p[2] : `${base.split('/')[0]}/${p[2]}`;
          out.platform = normalizePlatform(target);
          if (out.platform !== base) out.buildPlatform = base;
        } else {
          out.platform = base;
        }
        continue;
      }
    }
    if ((tok === 'internal' || tok === 'auth') && i === tokens.length - 1) {
      out.internal = true;
      out.label = tok;
      continue;
    }
    rest.push(tok);
  }

  // Tokens before the platform are a bake target; after it, the stage. Without a platform the
  // token next to the step number is the stage and anything before it a target.
  if (platformAt >= 0) {
    if (platformAt > 0) out.target = rest.slice(0, platformAt).join(' ');
    if (rest.length > platformAt) out.stage = rest.slice(platformAt).join(' ');
  } else if (rest.length > 0) {
    if (out.stepIndex !== undefined) {
      out.stage = rest[rest.length - 1]!;
      if (rest.length > 1) out.target = rest.slice(0, -1).join(' ');
    } else {
      out.target = rest.join(' ');
    }
  }
  return out;
}
