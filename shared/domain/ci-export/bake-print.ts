import { z } from 'zod';
import { resolveDockerfile } from '../build-request/argv';
import type { BuildOutput, BuildRequest } from '../build-request/request';
import { normalizePlatform } from '../platform';
import { cacheAttributes, formatAttributes, outputAttributes, parseAttributes, sameAttributes, type Attributes } from './csv';
import { FIELD_MAP } from './mapping';
import { joinPath } from './paths';

/**
 * `docker buildx bake --print` is the parser of record for bake files: it resolves variables,
 * functions and inheritance, and prints each target's definition as JSON. Here that JSON becomes
 * a build request (what the form can hold, and the list of what it cannot), and two requests are
 * compared field by field. Older buildx prints outputs, caches and attestations as CSV strings,
 * newer as objects: both are read.
 */

const attrsOrString = z.union([z.string(), z.record(z.string(), z.union([z.string(), z.boolean(), z.number()]))]);

export const bakePrintSchema = z.object({
  group: z.record(z.string(), z.object({ targets: z.array(z.string()).optional() }).loose()).optional(),
  target: z.record(z.string(), z.record(z.string(), z.unknown())),
});
export type BakePrint = z.infer<typeof bakePrintSchema>;

const targetSchema = z
  .object({
    context: z.string().optional(),
    dockerfile: z.string().optional(),
    tags: z.array(z.string()).optional(),
    platforms: z.array(z.string()).optional(),
    args: z.record(z.string(), z.string().nullable()).optional(),
    target: z.string().optional(),
    'cache-from': z.array(attrsOrString).optional(),
    'cache-to': z.array(attrsOrString).optional(),
    attest: z.array(attrsOrString).optional(),
    output: z.array(attrsOrString).optional(),
    'no-cache': z.boolean().optional(),
    pull: z.boolean().optional(),
  })
  .loose();

const READ = new Set(Object.keys(targetSchema.shape));

/** A printed entry (CSV string or object) as a string map. */
const entryAttrs = (entry: z.infer<typeof attrsOrString>): Attributes | undefined =>
  typeof entry === 'string' ? parseAttributes(entry) : Object.fromEntries(Object.entries(entry).map(([k, v]) => [k, String(v)]));

export interface ImportedTarget {
  /** The target read. */
  name: string;
  /** What the form can hold; `output` is missing when the target names none the form knows. */
  request: Omit<BuildRequest, 'output'> & { output?: BuildOutput };
  /** What the form cannot represent, each in words; the rest was imported. */
  refused: string[];
  /** Things read with an assumption, in words. */
  notes: string[];
}

/** The target `bake --print` printed (the one named, or the only one). */
export function pickTarget(print: BakePrint, name?: string): { name: string; attrs: Record<string, unknown> } {
  const names = Object.keys(print.target);
  const chosen = name ?? (names.length === 1 ? names[0] : undefined);
  if (!chosen || !print.target[chosen]) {
    throw new Error(name ? `The bake file has no target "${name}" (it has ${names.join(', ') || 'none'}).` : `The bake file defines ${names.length} targets (${names.join(', ')}): pick one.`);
  }
  return { name: chosen, attrs: print.target[chosen] };
}

/** `$${` and `%%{` as HCL escapes them, back to `${` and `%{`. */
const unescapeHcl = (value: string) => value.replaceAll('$${', '${').replaceAll('%%{', '%{');

/**
 * A printed target as a build request. `cwd` is the folder bake ran in (relative paths start there).
 * `escaped`: the printing buildx escapes `${` / `%{` in values (0.23 and newer: capability `bake-print-escaped`).
 */
export function importTarget(name: string, raw: Record<string, unknown>, cwd: string, printed: { escaped: boolean } = { escaped: false }): ImportedTarget {
  const refused: string[] = [];
  const notes: string[] = [];
  const parsed = targetSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`bake printed a target the app cannot read: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const t = parsed.data;
  for (const [key, value] of Object.entries(raw)) {
    const empty = value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0) || (typeof value === 'object' && Object.keys(value).length === 0);
    if (!READ.has(key) && !empty) refused.push(`${key}: the Build form has no field for it (${JSON.stringify(value)}).`);
  }

  const context = (t.context ?? '.').replace(/^cwd:\/\//, '');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(context) || context.startsWith('git@') || context.startsWith('target:')) {
    refused.push(`context: "${context}" is not a folder on this computer; the form builds a local folder.`);
  }
  const request: ImportedTarget['request'] = {
    context: joinPath(cwd, context),
    tags: t.tags ?? [],
    platforms: t.platforms ?? [],
    buildArgs: [],
    cacheFrom: [],
    cacheTo: [],
    noCache: t['no-cache'] ?? false,
    pull: t.pull ?? false,
    provenance: false,
    sbom: false,
  };
  if (!t.platforms?.length) notes.push('platforms: none named (bake would build for the builder’s own platform); tick them on the form.');
  if (t.dockerfile && t.dockerfile !== 'Dockerfile') request.dockerfile = t.dockerfile;
  if (t.target) request.target = t.target;
  for (const [key, value] of Object.entries(t.args ?? {})) {
    if (value === null) refused.push(`args.${key}: no value (bake takes it from the environment); give it one on the form.`);
    else request.buildArgs.push({ key, value: printed.escaped ? unescapeHcl(value) : value });
  }
  for (const [field, list] of [['cache-from', t['cache-from']], ['cache-to', t['cache-to']]] as const) {
    for (const entry of list ?? []) {
      const text = typeof entry === 'string' ? entry : formatAttributes(entryAttrs(entry)!);
      (field === 'cache-from' ? request.cacheFrom : request.cacheTo).push(text);
    }
  }

  const attests = (t.attest ?? []).map(entryAttrs);
  for (const kind of ['provenance', 'sbom'] as const) {
    const entry = attests.find((a) => a?.type === kind);
    const key = kind;
    if (!entry) {
      // buildx adds a minimal provenance attestation when none is named; no SBOM.
      request[key] = kind === 'provenance';
      if (kind === 'provenance') notes.push('provenance: not named, so buildx adds its default (mode=min): imported as on.');
      continue;
    }
    const { type: _type, disabled, mode, ...rest } = entry;
    const off = disabled === 'true';
    if (Object.keys(rest).length > 0 || (mode !== undefined && mode !== 'min' && !off)) {
      refused.push(`attest ${formatAttributes(entry)}: the form has on/off only (provenance mode=min, the default SBOM generator).`);
    }
    request[key] = !off;
  }
  for (const a of attests) if (a && a.type !== 'provenance' && a.type !== 'sbom') refused.push(`attest ${formatAttributes(a)}: the form has provenance and SBOM only.`);

  const outputs = (t.output ?? []).map(entryAttrs);
  if (outputs.length > 1) refused.push(`output: ${outputs.length} outputs; the form has one.`);
  const out = outputs[0];
  if (!out) notes.push('output: none named; the form keeps its own choice.');
  else {
    const o = outputFromAttrs(out);
    if (typeof o === 'string') refused.push(`output ${formatAttributes(out)}: ${o}`);
    else request.output = o;
  }
  return { name, request, refused, notes };
}

function outputFromAttrs(attrs: Attributes): BuildOutput | string {
  const { type, dest, ...rest } = outputAttributes(attrs) ?? {};
  const extra = Object.keys(rest).filter((k) => !(type === 'image' && k === 'push'));
  if (extra.length) return `the form cannot set ${extra.join(', ')}.`;
  if (type === 'image' && rest.push === 'true') return { type: 'push' };
  if (type === 'docker' && !dest) return { type: 'load' };
  if ((type === 'oci' || type === 'local') && dest) return { type, dest };
  if (type === 'cacheonly') return { type: 'cacheonly' };
  return 'the form offers push, load, an OCI tarball, a local folder or build only.';
}

// ---- field-by-field comparison --------------------------------------------------------------------

export interface FieldDifference {
  field: keyof BuildRequest;
  expected: string;
  actual: string;
}

type Comparable = Omit<BuildRequest, 'output'> & { output?: BuildOutput };

const trimDir = (p: string) => (p.length > 1 ? p.replace(/[\\/]+$/, '') : p);
const show = (v: unknown) => (v === undefined ? '(none)' : JSON.stringify(v));
const attrLists = (list: readonly string[], read: (s: string) => Attributes | undefined) => list.map((s) => read(s) ?? { unreadable: s });
const sameLists = (a: Attributes[], b: Attributes[]) => a.length === b.length && a.every((x, i) => sameAttributes(x, b[i]!));

/**
 * How each field is compared: as buildx reads it (a cache ref alone is a registry cache, an
 * output `type=registry` is an image pushed, platforms normalised). Null: not exported.
 */
const COMPARE: { [K in keyof BuildRequest]-?: ((a: Comparable, b: Comparable) => boolean) | null } = {
  context: (a, b) => trimDir(a.context) === trimDir(b.context),
  dockerfile: (a, b) => resolveDockerfile(a) === resolveDockerfile(b),
  tags: (a, b) => show(a.tags) === show(b.tags),
  platforms: (a, b) => show(a.platforms.map(normalizePlatform)) === show(b.platforms.map(normalizePlatform)),
  // bake keeps arguments in a map (printed sorted): the order carries no meaning.
  buildArgs: (a, b) => show(sortedArgs(a)) === show(sortedArgs(b)),
  target: (a, b) => (a.target ?? '') === (b.target ?? ''),
  output: (a, b) => !!a.output && !!b.output && sameAttributes(outputAttributes(flagOf(a.output))!, outputAttributes(flagOf(b.output))!),
  provenance: (a, b) => a.provenance === b.provenance,
  sbom: (a, b) => a.sbom === b.sbom,
  noCache: (a, b) => a.noCache === b.noCache,
  pull: (a, b) => a.pull === b.pull,
  cacheFrom: (a, b) => sameLists(attrLists(a.cacheFrom, cacheAttributes), attrLists(b.cacheFrom, cacheAttributes)),
  cacheTo: (a, b) => sameLists(attrLists(a.cacheTo, cacheAttributes), attrLists(b.cacheTo, cacheAttributes)),
  builder: null,
  overwrite: null,
};

const sortedArgs = (r: Comparable) => r.buildArgs.map((x) => [x.key, x.value]).sort(([x], [y]) => (x! < y! ? -1 : x! > y! ? 1 : 0));

function flagOf(output: BuildOutput): Attributes {
  return output.type === 'oci' || output.type === 'local' ? { type: output.type, dest: output.dest } : { type: output.type === 'push' ? 'registry' : output.type === 'load' ? 'docker' : output.type };
}

/** Every exported field on which two requests differ (`omitArgs`: build arguments the export refused). */
export function compareRequests(expected: Comparable, actual: Comparable, omitArgs: readonly string[] = []): FieldDifference[] {
  const exp = { ...expected, buildArgs: expected.buildArgs.filter((a) => !omitArgs.includes(a.key)) };
  const diffs: FieldDifference[] = [];
  for (const field of Object.keys(FIELD_MAP) as Array<keyof BuildRequest>) {
    const same = COMPARE[field];
    if (!same || same(exp, actual)) continue;
    diffs.push({ field, expected: show(exp[field]), actual: show(actual[field]) });
  }
  return diffs;
}
