import { z } from 'zod';
import { parseVersion, versionAtLeast } from '../versions';

/**
 * What the installed buildx can do, decided from its version: the one place the app asks "does this buildx have X?"
 * (never by failing at run time). The versions are buildx's release notes; the unit tests check the table against
 * the `--help` of the two versions the test stack runs (0.13.1 and 0.29.1).
 */
export const buildxFeature = z.enum([
  'ls-json',
  'ls-json-current',
  'buildkitd-config-flag',
  'build-checks',
  'history',
  'history-import',
  'history-export',
  'bake-print-escaped',
]);
export type BuildxFeature = z.infer<typeof buildxFeature>;

interface FeatureRule {
  feature: BuildxFeature;
  since: [number, number, number];
  /** What the user gets, for the Engine page. */
  label: string;
  /** The command line that shows it, for the Engine page and the help-text check in the tests. */
  usage: string;
}

export const BUILDX_FEATURES: readonly FeatureRule[] = [
  { feature: 'ls-json', since: [0, 13, 0], label: 'builder list as JSON', usage: 'docker buildx ls --format json' },
  // Before it, the current builder is only the `*` of the table (or `buildx inspect` without a name).
  { feature: 'ls-json-current', since: [0, 24, 0], label: 'current builder in the JSON list', usage: 'docker buildx ls --format json' },
  { feature: 'buildkitd-config-flag', since: [0, 13, 0], label: '--buildkitd-config (was --config)', usage: 'docker buildx create --buildkitd-config' },
  { feature: 'build-checks', since: [0, 15, 0], label: "BuildKit's build checks", usage: 'docker buildx build --call=check' },
  { feature: 'history', since: [0, 21, 0], label: 'build records (history)', usage: 'docker buildx history ls' },
  { feature: 'history-import', since: [0, 22, 0], label: 'import of .dockerbuild records', usage: 'docker buildx history import' },
  { feature: 'history-export', since: [0, 23, 0], label: 'export of .dockerbuild records', usage: 'docker buildx history export' },
  // docker/buildx#3097: values print as HCL would read them again (`$${` for `${`, `%%{` for `%{`); older ones raw
  { feature: 'bake-print-escaped', since: [0, 23, 0], label: 'bake --print values escaped as HCL', usage: 'docker buildx bake --print' },
];

/** One feature as the Engine page lists it (served by the core). */
export const buildxCapability = z.object({
  feature: buildxFeature,
  label: z.string(),
  usage: z.string(),
  available: z.boolean(),
  /** e.g. `buildx 0.21.0` */
  since: z.string(),
  /** Why it is missing, when it is. */
  reason: z.string().optional(),
});
export type BuildxCapability = z.infer<typeof buildxCapability>;

const show = (v: readonly number[]) => v.join('.');

/** Every feature with whether this buildx has it and, if not, why (an unknown version has none of them). */
export function buildxCapabilities(version: string | undefined): BuildxCapability[] {
  const parsed = version ? parseVersion(version) : undefined;
  return BUILDX_FEATURES.map((rule) => {
    const available = parsed !== undefined && versionAtLeast(version, rule.since);
    const capability: BuildxCapability = { feature: rule.feature, label: rule.label, usage: rule.usage, available, since: `buildx ${show(rule.since)}` };
    if (!available) {
      capability.reason = parsed
        ? `needs buildx ${show(rule.since)} or newer; this is ${show(parsed)}`
        : `the buildx version is unknown${version ? ` ("${version}")` : ''}; it needs ${show(rule.since)} or newer`;
    }
    return capability;
  });
}

export function buildxHas(version: string | undefined, feature: BuildxFeature): boolean {
  const rule = BUILDX_FEATURES.find((r) => r.feature === feature)!;
  return versionAtLeast(version, rule.since);
}

/**
 * Build checks also need the builder's BuildKit: `--call=check` is the `frontend.lint` subrequest of BuildKit 0.14
 * (Docker Engine 27 embeds it). Docker 26.1's BuildKit 0.13 answers "unsupported request frontend.lint".
 * The docker driver reports its BuildKit as `v0.0.0+unknown` (Debian's builds), so the engine version decides there.
 */
export function builderRunsChecks(node: { buildkitVersion?: string; driver: string; engineVersion?: string }): boolean {
  const known = node.buildkitVersion && !node.buildkitVersion.startsWith('v0.0.0') ? node.buildkitVersion : undefined;
  if (known) return versionAtLeast(known, [0, 14, 0]);
  return node.driver === 'docker' && versionAtLeast(node.engineVersion, [27, 0, 0]);
}
