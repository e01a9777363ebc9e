/**
 * Preflight planning: which base images must offer which platforms for the ticked platforms, and
 * what to warn about once the main process has looked the images up. Pure: the lookup itself
 * (registry or engine) happens elsewhere and comes back as a map.
 */
import { normalizePlatform, parsePlatform } from '../platform';
import { expandDockerfileWord } from './expand';
import { isPredefinedArg } from './predefined-args';
import type {
  DockerfileAnalysis,
  DockerfileFinding,
  DockerfileStage,
  PreflightEntry,
  PreflightOptions,
  StageReference,
} from './types';

function platformArgs(prefix: 'TARGET' | 'BUILD', platform: string): Record<string, string> {
  const p = parsePlatform(platform);
  return {
    [`${prefix}PLATFORM`]: normalizePlatform(platform),
    [`${prefix}OS`]: p?.os ?? '',
    [`${prefix}ARCH`]: p?.architecture ?? '',
    [`${prefix}VARIANT`]: p?.variant ?? '',
  };
}

interface Resolved {
  value: string;
  unresolved: string[];
}

/** Everything that depends on one target platform. */
class PlatformScope {
  private readonly predefined: Record<string, string>;
  private readonly globals = new Map<string, string>();
  private readonly platforms = new Map<number, string>();

  constructor(
    private readonly analysis: DockerfileAnalysis,
    target: string,
    build: string,
    private readonly buildArgs: Record<string, string>,
  ) {
    this.predefined = { ...platformArgs('TARGET', target), ...platformArgs('BUILD', build) };
    this.target = target;
    for (const a of analysis.globalArgs) {
      if (isPredefinedArg(a.name)) continue;
      const given = buildArgs[a.name];
      if (given !== undefined) this.globals.set(a.name, given);
      else if (a.default !== undefined) this.globals.set(a.name, this.expand(a.default, (n) => this.globalValue(n)).value);
    }
  }

  readonly target: string;

  private globalValue(name: string): string | undefined {
    return this.predefined[name] ?? this.globals.get(name);
  }

  private expand(text: string, lookup: (name: string) => string | undefined): Resolved {
    return expandDockerfileWord(text, lookup, this.analysis.escapeChar);
  }

  /** FROM lines see the global scope. */
  resolveGlobal(text: string): Resolved {
    return this.expand(text, (n) => this.globalValue(n));
  }

  /** Other instructions see the stage's own ARGs, which inherit global values when redeclared. */
  resolveInStage(stage: DockerfileStage, text: string, line: number): Resolved {
    const values = new Map<string, string>();
    for (const a of stage.args) {
      if (a.line >= line) break;
      const fromGlobal = this.globalValue(a.name);
      const given = isPredefinedArg(a.name) ? undefined : this.buildArgs[a.name];
      const value =
        given ??
        (isPredefinedArg(a.name) ? fromGlobal : undefined) ??
        (a.default !== undefined ? this.expand(a.default, (n) => values.get(n)).value : fromGlobal);
      if (value !== undefined) values.set(a.name, value);
    }
    return this.expand(text, (n) => values.get(n));
  }

  /**
   * The platform a stage runs on for this target. As in BuildKit, a stage built FROM another takes
   * that stage's platform (its own `--platform` is ignored); otherwise its flag, else the target.
   */
  stagePlatform(stage: DockerfileStage): string {
    const cached = this.platforms.get(stage.index);
    if (cached !== undefined) return cached;
    let platform = this.target;
    // The parent can depend on the platform: `FROM runtime-${TARGETARCH}`.
    const parent = findStage(this.analysis.stages, this.resolveGlobal(stage.image).value, stage.index, 'from');
    if (parent) platform = this.stagePlatform(parent);
    else if (stage.platformFlag !== undefined) {
      const resolved = this.resolveGlobal(stage.platformFlag).value.trim();
      if (resolved) platform = normalizePlatform(resolved);
    }
    this.platforms.set(stage.index, platform);
    return platform;
  }
}

/**
 * The earlier stage a reference names, as BuildKit finds it: FROM matches a stage name exactly
 * (names are lower-case); `COPY --from` and `RUN --mount=from` also take a stage index.
 */
function findStage(stages: DockerfileStage[], ref: string, before: number, source: StageReference['source']): DockerfileStage | undefined {
  const key = ref.trim();
  const lower = key.toLowerCase();
  return stages.find((s) => s.index < before && (source === 'from' ? s.name === key : s.name === lower || String(s.index) === key));
}

interface Use {
  stage: DockerfileStage;
  ref: StageReference;
  resolved: Resolved;
}

function usesFor(scope: PlatformScope, analysis: DockerfileAnalysis, stage: DockerfileStage): { deps: number[]; images: Use[] } {
  const deps: number[] = [];
  const images: Use[] = [];
  for (const ref of stage.references) {
    const resolved = ref.source === 'from' ? scope.resolveGlobal(ref.ref) : scope.resolveInStage(stage, ref.ref, ref.line);
    const image = resolved.value.trim();
    if (image === '' && resolved.unresolved.length === 0) continue;
    if (image.toLowerCase() === 'scratch') continue;
    const earlier = findStage(analysis.stages, image, stage.index, ref.source);
    if (earlier) deps.push(earlier.index);
    else images.push({ stage, ref, resolved: { value: image, unresolved: resolved.unresolved } });
  }
  return { deps, images };
}

/**
 * For each base image (FROM, `COPY --from=image`, `RUN --mount=from=image`) of the stages the build
 * needs, the platforms it must provide. Stages on `$BUILDPLATFORM` need only the build platform,
 * others every ticked platform; stages the target does not depend on are left out, as BuildKit
 * skips them.
 */
export function planPreflight(analysis: DockerfileAnalysis, options: PreflightOptions): PreflightEntry[] {
  const build = normalizePlatform(options.buildPlatform);
  const targets = [...new Set(options.targetPlatforms.map(normalizePlatform))];
  if (targets.length === 0) targets.push(build);
  const buildArgs = options.buildArgs ?? {};
  const stages = analysis.stages;
  if (stages.length === 0) return [];
  const wanted = options.target?.trim().toLowerCase();
  const root = (wanted ? stages.find((s) => s.name === wanted) : undefined) ?? stages[stages.length - 1];
  if (!root) return [];

  const entries = new Map<string, PreflightEntry>();
  for (const target of targets) {
    const scope = new PlatformScope(analysis, target, build, buildArgs);
    const visited = new Set<number>();
    const queue = [root.index];
    while (queue.length > 0) {
      const index = queue.shift() ?? 0;
      const stage = stages[index];
      if (!stage || visited.has(index)) continue;
      visited.add(index);
      const { deps, images } = usesFor(scope, analysis, stage);
      queue.push(...deps);
      for (const use of images) {
        const platform = scope.stagePlatform(stage);
        const key = `${stage.index}|${use.ref.source}|${use.ref.line}|${use.resolved.value}`;
        let entry = entries.get(key);
        if (!entry) {
          entry = {
            stageIndex: stage.index,
            line: use.ref.line,
            source: use.ref.source,
            image: use.resolved.value,
            platformsNeeded: [],
          };
          if (stage.name) entry.stageName = stage.name;
          if (use.resolved.unresolved.length > 0) entry.unresolvedArgs = use.resolved.unresolved;
          entries.set(key, entry);
        }
        if (!entry.platformsNeeded.includes(platform)) entry.platformsNeeded.push(platform);
      }
    }
  }
  return [...entries.values()].sort((a, b) => a.stageIndex - b.stageIndex || a.line - b.line);
}

/** An image listing `linux/arm` without a variant serves v7, as the registry tooling assumes. */
function normalizeAvailable(p: string): string {
  const n = normalizePlatform(p);
  return n === 'linux/arm' ? 'linux/arm/v7' : n;
}

// A 32-bit ARM CPU runs older ARM variants; BuildKit falls back to them when pulling.
const ARM_FALLBACKS: Record<string, string[]> = {
  'linux/arm/v8': ['linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5'],
  'linux/arm/v7': ['linux/arm/v6', 'linux/arm/v5'],
  'linux/arm/v6': ['linux/arm/v5'],
};

const WHERE: Record<PreflightEntry['source'], string> = {
  from: 'FROM',
  'copy-from': 'COPY --from',
  'mount-from': 'RUN --mount',
};

function stageText(entry: PreflightEntry): string {
  return entry.stageName ? `stage \`${entry.stageName}\`` : `stage ${entry.stageIndex}`;
}

/**
 * Warnings for a plan once the images' platforms are known. `available` maps an entry's image to
 * the platforms its manifest offers; images missing from the map were not checked and are skipped.
 */
export function preflightFindings(
  plan: PreflightEntry[],
  available: ReadonlyMap<string, readonly string[]>,
): DockerfileFinding[] {
  const out: DockerfileFinding[] = [];
  for (const entry of plan) {
    const where = WHERE[entry.source];
    if (entry.unresolvedArgs && entry.unresolvedArgs.length > 0) {
      const names = entry.unresolvedArgs.map((n) => `\`${n}\``).join(', ');
      out.push({
        rule: 'base-unresolved-arg',
        severity: 'warning',
        line: entry.line,
        stageIndex: entry.stageIndex,
        subject: entry.image,
        message: `${where} in ${stageText(entry)} resolves to \`${entry.image}\`: ${names} has no default and no build arg.`,
        why: 'An ARG without a value expands to an empty string, so the image reference is probably not the one intended.',
        suggestion: entry.unresolvedArgs.map((n) => `ARG ${n}=<value>   # before the first FROM, or pass --build-arg ${n}=...`).join('\n'),
      });
    }
    const offered = available.get(entry.image);
    if (!offered) continue;
    const have = offered.map(normalizeAvailable).filter((p) => !p.startsWith('unknown'));
    const missing: string[] = [];
    const fallbacks: Array<[string, string]> = [];
    for (const needed of entry.platformsNeeded) {
      if (have.includes(needed)) continue;
      const fallback = (ARM_FALLBACKS[needed] ?? []).find((p) => have.includes(p));
      if (fallback) fallbacks.push([needed, fallback]);
      else missing.push(needed);
    }
    if (missing.length > 0) {
      const those = missing.length === 1 ? 'that platform' : 'those platforms';
      out.push({
        rule: 'base-missing-platform',
        severity: 'warning',
        line: entry.line,
        stageIndex: entry.stageIndex,
        subject: entry.image,
        platforms: missing,
        message: `base \`${entry.image}\` has no ${missing.join(', ')}: ${those} will fail at ${where} (${stageText(entry)}, line ${entry.line}).`,
        why: `The image offers ${have.length > 0 ? have.join(', ') : 'no usable platform'}. Each platform's build pulls its own variant of the base, so a platform the image lacks stops with "no match for platform in manifest". Untick it, choose a base that has it, or, for a stage that only prepares files, run the stage on $BUILDPLATFORM.`,
      });
    }
    for (const [needed, fallback] of fallbacks) {
      out.push({
        rule: 'base-platform-fallback',
        severity: 'info',
        line: entry.line,
        stageIndex: entry.stageIndex,
        subject: entry.image,
        platforms: [needed],
        message: `base \`${entry.image}\` has no ${needed}; the ${fallback} variant will be used (${stageText(entry)}, line ${entry.line}).`,
        why: `${needed} CPUs run ${fallback} code, so the build falls back to it: it works, but is not tuned for ${needed}.`,
      });
    }
  }
  return out.sort((a, b) => a.line - b.line);
}
