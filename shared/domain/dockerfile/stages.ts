/**
 * The stage model, following BuildKit's dockerfile frontend (dockerfile2llb/convert.go):
 * - a FROM whose image, expanded in the global scope, equals the name of an earlier stage builds
 *   on that stage: it takes the stage's platform (the `--platform` flag on that line is ignored),
 *   its ENV and its build args (`ds.buildArgs = append(ds.buildArgs, ds.base.buildArgs...)`);
 * - the match is exact against the lower-cased stage names, earlier stages only, never by index;
 * - a FROM chosen by an expression (`FROM tool-$TARGETARCH`) is resolved per target platform;
 * - a global ARG with a default replaces a predefined platform arg of the same name.
 */
import { normalizePlatform, parsePlatform } from '../platform';
import { referencedVariables } from './arch';
import { expandDockerfileWord, type Lookup } from './expand';
import { argDeclarations, type DockerfileModel, type ModelInstruction, type ModelStage } from './model';
import { isPredefinedArg } from './predefined-args';
import type { DockerfileStage, PlatformKind, StageReference } from './types';

export type ShellKind = DockerfileStage['shell'];

export interface StageFacts {
  model: ModelStage;
  info: DockerfileStage;
  /** The parent stage per requested platform (undefined: an image). */
  parentFor: Map<string, number | undefined>;
  /** ARG and ENV names declared in this stage, with the 0-based line of the first declaration. */
  declared: Map<string, number>;
  /** ARG and ENV names the stage starts with, inherited from the stage(s) it is built FROM. */
  inherited: Set<string>;
  /** Stages that read this one: FROM, `COPY --from`, `RUN --mount=from`. */
  consumers: Set<number>;
  /** The shell of each RUN (by instruction line), after SHELL instructions and inheritance. */
  shellAt: Map<number, ShellKind>;
  /** Per requested platform: `build`, `target`, `variable` or `constant:<platform>`. */
  kindFor: Map<string, string>;
  /** Runs natively on the build machine for every requested platform. */
  native: boolean;
}

const PLATFORM_PARTS = ['PLATFORM', 'OS', 'ARCH', 'VARIANT'] as const;

function platformValues(prefix: 'TARGET' | 'BUILD', platform: string): Record<string, string> {
  const p = parsePlatform(platform);
  const values = [normalizePlatform(platform), p?.os ?? '', p?.architecture ?? '', p?.variant ?? ''];
  return Object.fromEntries(PLATFORM_PARTS.map((part, i) => [`${prefix}${part}`, values[i] ?? '']));
}

/** The global scope BuildKit gives FROM lines for one target platform: predefined args, then global ARG defaults. */
export function globalScope(model: DockerfileModel, target: string, build: string): Lookup {
  const values = new Map(Object.entries({ ...platformValues('TARGET', target), ...platformValues('BUILD', build) }));
  const lookup: Lookup = (name) => values.get(name);
  for (const a of model.globalArgs) {
    if (a.default !== undefined) values.set(a.name, expandDockerfileWord(a.default, lookup, model.escapeChar).value);
  }
  return lookup;
}

/**
 * The global scope with the platform args left as `${NAME}`: what a FROM line says regardless of the
 * platform. A global ARG that gives a platform arg a default pins it, as in BuildKit.
 */
export function symbolicGlobalScope(model: DockerfileModel): Lookup {
  const values = new Map<string, string>();
  const lookup: Lookup = (name) => values.get(name) ?? (isPredefinedArg(name) ? `\${${name}}` : undefined);
  for (const a of model.globalArgs) {
    if (a.default !== undefined) values.set(a.name, expandDockerfileWord(a.default, lookup, model.escapeChar).value);
  }
  return lookup;
}

export function classifyPlatform(flag: string | undefined, model: DockerfileModel, symbolic: Lookup): PlatformKind {
  if (flag === undefined) return 'none';
  const kindOf = (text: string): PlatformKind | undefined => {
    const vars = referencedVariables(text);
    if (vars.length === 0) return text.trim() === '' ? undefined : 'constant';
    if (vars.some((v) => isPredefinedArg(v) && v.startsWith('BUILD'))) return 'build';
    if (vars.some((v) => isPredefinedArg(v) && v.startsWith('TARGET'))) return 'target';
    return undefined;
  };
  return kindOf(expandDockerfileWord(flag, symbolic, model.escapeChar).value) ?? 'variable';
}

function mountFrom(value: string): string | undefined {
  for (const part of value.split(',')) {
    const [k, v] = part.split('=', 2);
    if (k?.trim().toLowerCase() === 'from' && v) return v.trim();
  }
  return undefined;
}

// Windows base images: the Windows Server Core / Nano Server families and the images built on them.
const WINDOWS_IMAGE_RE = /(?:^|[/:_.-])(?:windows|windowsservercore|servercore|nanoserver|ltsc20\d\d)(?:$|[/:_.-])/i;

function shellOf(instr: ModelInstruction): ShellKind | undefined {
  if (instr.keyword !== 'SHELL') return undefined;
  let first = '';
  try {
    const parsed: unknown = JSON.parse(instr.args.text);
    if (Array.isArray(parsed) && typeof parsed[0] === 'string') first = parsed[0];
  } catch {
    return undefined;
  }
  const name = first.toLowerCase().replace(/\\/g, '/').split('/').pop()?.replace(/\.exe$/, '') ?? '';
  if (name === 'powershell' || name === 'pwsh') return 'powershell';
  if (name === 'cmd') return 'cmd';
  return 'posix';
}

export interface StageOptions {
  platforms: string[];
  buildPlatform: string;
}

/** Stage facts for every FROM, in order. */
export function buildStages(model: DockerfileModel, options: StageOptions): StageFacts[] {
  const symbolic = symbolicGlobalScope(model);
  const scopes = new Map(options.platforms.map((p) => [p, globalScope(model, p, options.buildPlatform)]));
  const facts: StageFacts[] = [];
  const byName = new Map<string, number>();

  for (const stage of model.stages) {
    const from = stage.from.node as import('dockerfile-ast').From;
    const image = from.getImage() ?? '';
    const platformFlag = from.getPlatformFlag()?.getValue() ?? undefined;
    const platformKind = classifyPlatform(platformFlag ?? undefined, model, symbolic);

    const parentFor = new Map<string, number | undefined>();
    for (const [platform, lookup] of scopes) {
      parentFor.set(platform, byName.get(expandDockerfileWord(image, lookup, model.escapeChar).value));
    }
    const candidates = [...new Set([...parentFor.values()].filter((p): p is number => p !== undefined))];
    const parents = candidates.map((i) => facts[i]).filter((f): f is StageFacts => f !== undefined);

    // Per platform: `build`, `target`, `variable`, or `constant:<platform>` when pinned to another one.
    const kindFor = new Map<string, string>();
    for (const platform of options.platforms) {
      const parent = parentFor.get(platform);
      const p = parent === undefined ? undefined : facts[parent];
      if (p) {
        kindFor.set(platform, p.kindFor.get(platform) ?? 'variable');
      } else if (platformKind === 'constant') {
        const value = normalizePlatform(expandDockerfileWord(platformFlag ?? '', scopes.get(platform) ?? symbolic, model.escapeChar).value);
        kindFor.set(platform, value === platform ? 'target' : `constant:${value}`);
      } else {
        kindFor.set(platform, platformKind === 'build' ? 'build' : platformKind === 'variable' ? 'variable' : 'target');
      }
    }
    const kinds = new Set(kindFor.values());
    const only = kinds.size === 1 ? [...kinds][0] : undefined;
    let effective: PlatformKind = platformKind;
    if (candidates.length > 0) {
      if (only === 'build') effective = 'build';
      else if (only === 'target') effective = 'none';
      else if (only?.startsWith('constant:')) effective = 'constant';
      else effective = 'variable';
    }

    const references: StageReference[] = [];
    if (image) references.push({ source: 'from', ref: image, line: stage.from.line + 1 });
    const declared = new Map<string, number>();
    for (const instr of stage.instructions) {
      for (const f of instr.flags) {
        if (instr.keyword === 'COPY' && f.name === 'from' && f.value) references.push({ source: 'copy-from', ref: f.value, line: instr.line + 1 });
        const mounted = instr.keyword === 'RUN' && f.name === 'mount' && f.value ? mountFrom(f.value) : undefined;
        if (mounted) references.push({ source: 'mount-from', ref: mounted, line: instr.line + 1 });
      }
      if (instr.keyword === 'ARG' || instr.keyword === 'ENV') {
        for (const d of argDeclarations(instr, model.escapeChar)) if (!declared.has(d.name)) declared.set(d.name, instr.line);
      }
    }

    const inherited = new Set<string>();
    for (const p of parents) {
      for (const n of p.inherited) inherited.add(n);
      for (const n of p.declared.keys()) inherited.add(n);
    }

    const imageText = expandDockerfileWord(image, symbolic, model.escapeChar).value;
    const flagText = platformFlag ? expandDockerfileWord(platformFlag, symbolic, model.escapeChar).value : '';
    const windows = parents.some((p) => p.info.windows) || /^windows\//i.test(flagText) || (parents.length === 0 && WINDOWS_IMAGE_RE.test(imageText));
    let shell: ShellKind = parents[0]?.shellAt.get(-1) ?? (windows ? 'cmd' : 'posix');
    const shellAt = new Map<number, ShellKind>();
    for (const instr of stage.instructions) {
      shell = shellOf(instr) ?? shell;
      shellAt.set(instr.line, shell);
    }
    shellAt.set(-1, shell); // the shell children start with

    const info: DockerfileStage = {
      index: stage.index,
      line: stage.from.line + 1,
      endLine: stage.endLine + 1,
      image,
      platformKind,
      effectivePlatformKind: effective,
      args: stage.instructions.filter((i) => i.keyword === 'ARG').flatMap((i) => argDeclarations(i, model.escapeChar)),
      references,
      toolchains: [],
      shell,
      windows,
    };
    if (stage.name) info.name = stage.name;
    if (platformFlag !== undefined) info.platformFlag = platformFlag;
    if (candidates.length === 1 && parentFor.size > 0 && [...parentFor.values()].every((p) => p === candidates[0])) info.parentStage = candidates[0];
    else if (candidates.length > 0) info.parentCandidates = candidates;

    facts.push({ model: stage, info, parentFor, kindFor, declared, inherited, consumers: new Set(), shellAt, native: effective === 'build' });
    if (stage.name) byName.set(stage.name, stage.index);
  }

  // Who reads each stage: BuildKit's COPY --from and mount from take a name or an index.
  for (const f of facts) {
    for (const ref of f.info.references) {
      if (ref.source === 'from') {
        for (const p of new Set(f.parentFor.values())) if (p !== undefined) facts[p]?.consumers.add(f.info.index);
        continue;
      }
      const key = expandDockerfileWord(ref.ref, symbolic, model.escapeChar).value.toLowerCase();
      const named = byName.get(key) ?? (/^\d+$/.test(key) ? Number(key) : undefined);
      if (named !== undefined && named < f.info.index) facts[named]?.consumers.add(f.info.index);
      else if (key.includes('${')) {
        // `COPY --from=tool-${TARGETARCH}`: every stage it can name.
        for (const lookup of scopes.values()) {
          const n = byName.get(expandDockerfileWord(ref.ref, lookup, model.escapeChar).value.toLowerCase());
          if (n !== undefined && n < f.info.index) facts[n]?.consumers.add(f.info.index);
        }
      }
    }
  }
  return facts;
}

/** The last stage and the stages it is built FROM: what ends up in the default image. */
export function finalChain(stages: StageFacts[]): Set<number> {
  const chain = new Set<number>();
  const queue = [stages.length - 1];
  while (queue.length > 0) {
    const i = queue.pop() ?? -1;
    const s = stages[i];
    if (!s || chain.has(i)) continue;
    chain.add(i);
    for (const p of s.parentFor.values()) if (p !== undefined) queue.push(p);
  }
  return chain;
}

/**
 * A native stage whose output only native stages read: tools for the build machine (code
 * generators, compilers). Their architecture is BUILDARCH, and they need no cross-compiling.
 */
export function buildMachineOnly(stages: StageFacts[], index: number, chain: Set<number>): boolean {
  const s = stages[index];
  if (!s?.native || chain.has(index) || s.consumers.size === 0) return false;
  return [...s.consumers].every((c) => stages[c]?.native === true);
}

export function stageLabel(stage: { index: number; name?: string | undefined }): string {
  return stage.name ? `\`${stage.name}\`` : `${stage.index}`;
}
