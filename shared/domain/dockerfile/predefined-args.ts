/**
 * The platform args BuildKit defines for every build. They live in the global scope: a FROM line
 * can use them directly, but inside a stage each must be declared again with `ARG NAME` (no value)
 * before use, there or in the stage it is built FROM, or it expands to an empty string.
 */
export interface PredefinedArg {
  name: PredefinedArgName;
  /** `target`: the platform being built for; `build`: the machine running the build. */
  scope: 'target' | 'build';
  summary: string;
  examples: string[];
  /** Markdown for a hover card. */
  hover: string;
}

export const PREDEFINED_ARG_NAMES = [
  'TARGETPLATFORM',
  'TARGETOS',
  'TARGETARCH',
  'TARGETVARIANT',
  'BUILDPLATFORM',
  'BUILDOS',
  'BUILDARCH',
  'BUILDVARIANT',
] as const;
export type PredefinedArgName = (typeof PREDEFINED_ARG_NAMES)[number];

const SCOPE_NOTE =
  'Defined in the global scope. Inside a stage, declare it with `ARG NAME` (no value) before using it in RUN, ENV, COPY or ADD (a stage built FROM another inherits that stage\'s declarations), or it expands to an empty string. Do not give it a default: that replaces the value BuildKit sets.';

function entry(
  name: PredefinedArgName,
  scope: PredefinedArg['scope'],
  summary: string,
  examples: string[],
  extra: string,
): PredefinedArg {
  const hover = [
    `**${name}**: ${summary}`,
    '',
    `Examples: ${examples.map((e) => `\`${e || '(empty)'}\``).join(', ')}`,
    '',
    extra,
    '',
    SCOPE_NOTE,
  ].join('\n');
  return { name, scope, summary, examples, hover };
}

export const PREDEFINED_ARGS: Record<PredefinedArgName, PredefinedArg> = {
  TARGETPLATFORM: entry(
    'TARGETPLATFORM',
    'target',
    'the platform this build result is for, as os/arch[/variant].',
    ['linux/amd64', 'linux/arm64', 'linux/arm/v7'],
    'Takes one value per ticked platform: the stage runs once for each. `FROM --platform=$TARGETPLATFORM` is the same as no flag.',
  ),
  TARGETOS: entry(
    'TARGETOS',
    'target',
    'the OS part of TARGETPLATFORM.',
    ['linux', 'windows'],
    'Maps directly to `GOOS` for Go cross-compilation.',
  ),
  TARGETARCH: entry(
    'TARGETARCH',
    'target',
    'the architecture part of TARGETPLATFORM, in Docker/Go spelling.',
    ['amd64', 'arm64', 'arm', 'ppc64le', 's390x', 'riscv64', '386'],
    'Maps directly to `GOARCH`. Downloads that use other spellings need a mapping: amd64→x86_64, arm64→aarch64 (uname, most release archives), amd64→x64 (Node.js, .NET), arm→armhf (Debian).',
  ),
  TARGETVARIANT: entry(
    'TARGETVARIANT',
    'target',
    'the CPU variant part of TARGETPLATFORM, empty when the platform has none.',
    ['v7', 'v6', ''],
    'Matters for 32-bit ARM (`linux/arm/v7` vs `linux/arm/v6`, `GOARM=7`). Empty for amd64 and arm64.',
  ),
  BUILDPLATFORM: entry(
    'BUILDPLATFORM',
    'build',
    'the platform of the machine (builder node) running the build.',
    ['linux/amd64', 'linux/arm64'],
    '`FROM --platform=$BUILDPLATFORM` runs a stage natively, without QEMU: the fast way to cross-compile for TARGETPLATFORM.',
  ),
  BUILDOS: entry('BUILDOS', 'build', 'the OS part of BUILDPLATFORM.', ['linux'], 'Usually `linux`.'),
  BUILDARCH: entry(
    'BUILDARCH',
    'build',
    'the architecture part of BUILDPLATFORM, in Docker/Go spelling.',
    ['amd64', 'arm64'],
    'Use it to download tools that run on the builder itself (compilers, code generators) in a `$BUILDPLATFORM` stage.',
  ),
  BUILDVARIANT: entry(
    'BUILDVARIANT',
    'build',
    'the CPU variant part of BUILDPLATFORM, usually empty.',
    ['', 'v7'],
    'Only set on 32-bit ARM builders.',
  ),
};

export function isPredefinedArg(name: string): name is PredefinedArgName {
  return (PREDEFINED_ARG_NAMES as readonly string[]).includes(name);
}
