/**
 * In-toto statements of BuildKit's attestation manifests, made readable: an SPDX SBOM's packages,
 * a SLSA provenance's builder, build arguments and materials (v0.2 and v1 predicates), and whether
 * the statement is about the platform manifest it is attached to.
 */
import type { AttestationItem } from '../../contract/integrity';
import { attestationKind } from '../manifests/classify';
import { normalizePlatform } from '../platform';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Packages listed per SBOM in a report (the count says how many there are). */
export const MAX_SBOM_PACKAGES = 2000;

function digestOf(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  const sha = text(value.sha256);
  if (sha) return `sha256:${sha}`;
  const [algo, hex] = Object.entries(value).find(([, v]) => typeof v === 'string') ?? [];
  return algo && typeof hex === 'string' ? `${algo}:${hex}` : undefined;
}

/** `pkg:docker/127.0.0.1%3A5000/stack/busybox@1?platform=linux%2Farm64` → `linux/arm64`. */
function platformOfPurl(uri: string): string | undefined {
  const query = uri.split('?')[1];
  if (!query) return undefined;
  const platform = new URLSearchParams(query).get('platform');
  return platform ? normalizePlatform(platform) : undefined;
}

function sbomOf(predicate: Json): NonNullable<AttestationItem['sbom']> {
  const packages = list(predicate.packages)
    .filter(isObject)
    .map((p) => {
      const purl = list(p.externalRefs)
        .filter(isObject)
        .find((r) => r.referenceType === 'purl');
      const locator = purl ? text(purl.referenceLocator) : undefined;
      return { name: text(p.name) ?? '', version: text(p.versionInfo) ?? '', ...(locator ? { purl: locator } : {}) };
    })
    .filter((p) => p.name !== '');
  packages.sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
  return { format: text(predicate.spdxVersion) ?? 'SPDX', packages: packages.slice(0, MAX_SBOM_PACKAGES), packageCount: packages.length };
}

/** Build arguments from a BuildKit request's args (`build-arg:NAME`); frontend options are left out. */
function buildArgsOf(args: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(args)) return out;
  for (const [key, value] of Object.entries(args)) {
    if (key.startsWith('build-arg:') && typeof value === 'string') out[key.slice('build-arg:'.length)] = value;
  }
  return out;
}

function materialsOf(entries: unknown): NonNullable<AttestationItem['provenance']>['materials'] {
  return list(entries)
    .filter(isObject)
    .map((m) => {
      const uri = text(m.uri) ?? '';
      const digest = digestOf(m.digest);
      const platform = platformOfPurl(uri);
      return { uri, ...(digest ? { digest } : {}), ...(platform ? { platform } : {}) };
    })
    .filter((m) => m.uri !== '');
}

function provenanceOf(predicateType: string, predicate: Json): NonNullable<AttestationItem['provenance']> {
  if (predicateType.includes('/provenance/v1')) {
    const definition = isObject(predicate.buildDefinition) ? predicate.buildDefinition : {};
    const external = isObject(definition.externalParameters) ? definition.externalParameters : {};
    const request = isObject(external.request) ? external.request : {};
    const run = isObject(predicate.runDetails) ? predicate.runDetails : {};
    const builder = isObject(run.builder) ? text(run.builder.id) : undefined;
    const buildType = text(definition.buildType);
    return { builder: builder ?? '', ...(buildType ? { buildType } : {}), buildArgs: buildArgsOf(request.args), materials: materialsOf(definition.resolvedDependencies) };
  }
  // v0.2
  const builder = isObject(predicate.builder) ? text(predicate.builder.id) : undefined;
  const invocation = isObject(predicate.invocation) ? predicate.invocation : {};
  const parameters = isObject(invocation.parameters) ? invocation.parameters : {};
  const buildType = text(predicate.buildType);
  return { builder: builder ?? '', ...(buildType ? { buildType } : {}), buildArgs: buildArgsOf(parameters.args), materials: materialsOf(predicate.materials) };
}

/**
 * One in-toto statement (an attestation layer's JSON), read for the platform manifest `attachedTo`.
 * Never throws: what cannot be read is said in `error`.
 */
export function readStatement(json: unknown, attachedTo: string, declaredType?: string): AttestationItem {
  const fallbackType = declaredType ?? 'unknown';
  if (!isObject(json)) return { predicateType: fallbackType, kind: attestationKind(fallbackType), subjects: [], subjectMismatch: false, error: 'The attestation is not a JSON object.' };
  const predicateType = text(json.predicateType) ?? fallbackType;
  const subjects = list(json.subject)
    .map((s) => (isObject(s) ? digestOf(s.digest) : undefined))
    .filter((d): d is string => d !== undefined);
  const item: AttestationItem = {
    predicateType,
    kind: attestationKind(predicateType),
    subjects,
    subjectMismatch: subjects.length > 0 && !subjects.includes(attachedTo),
  };
  const predicate = json.predicate;
  if (!isObject(predicate)) return { ...item, error: 'The statement has no predicate.' };
  if (item.kind === 'sbom') {
    if (predicateType.toLowerCase().startsWith('https://spdx.dev/')) item.sbom = sbomOf(predicate);
    else item.sbom = { format: 'CycloneDX', ...cycloneDxPackages(predicate) };
  } else if (item.kind === 'provenance') {
    item.provenance = provenanceOf(predicateType, predicate);
  }
  return item;
}

function cycloneDxPackages(predicate: Json): { packages: Array<{ name: string; version: string; purl?: string }>; packageCount: number } {
  const packages = list(predicate.components)
    .filter(isObject)
    .map((c) => {
      const purl = text(c.purl);
      return { name: text(c.name) ?? '', version: text(c.version) ?? '', ...(purl ? { purl } : {}) };
    })
    .filter((p) => p.name !== '');
  packages.sort((a, b) => a.name.localeCompare(b.name));
  return { packages: packages.slice(0, MAX_SBOM_PACKAGES), packageCount: packages.length };
}

/** `provenance/SBOM for linux/arm64` */
export function attestationName(items: readonly Pick<AttestationItem, 'kind'>[], platform: string | undefined): string {
  const kinds = [...new Set(items.map((i) => (i.kind === 'sbom' ? 'SBOM' : i.kind === 'provenance' ? 'provenance' : 'attestation')))];
  const what = kinds.length > 0 ? kinds.join('/') : 'attestation';
  return platform ? `${what} for ${platform}` : `${what} for a manifest the index does not list`;
}
