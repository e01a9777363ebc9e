import type { BuilderSummary } from '../../../shared/contract/builders';
import type { BuildRecord } from '../../../shared/contract/builds';
import { defaultTarget, targetOptions, type TargetOption } from '../../../shared/domain/distributed/assign';
import { buildRequestInput, type BuildRequestInput, type OutputKind } from '../../../shared/domain/build-request/request';

/** The Build form as typed (strings, rows), turned into a request by `draftToInput`. */
export interface BuildDraft {
  context: string;
  dockerfile: string;
  tags: string[];
  platforms: string[];
  buildArgs: Array<{ key: string; value: string }>;
  target: string;
  output: OutputKind;
  dest: string;
  provenance: boolean;
  sbom: boolean;
  noCache: boolean;
  pull: boolean;
  cacheFrom: string;
  cacheTo: string;
  /** '' = the current builder. */
  builder: string;
  /** Build each platform on its own node or builder, push each by digest, merge one index. */
  distribute: boolean;
  /** Platform → a target option's key (`builder/node` or `builder`); a platform left out takes the default. */
  lanes: Record<string, string>;
  /** Without caches in the form, give each platform a registry cache of its own. */
  registryCache: boolean;
  /** Destinations the user confirmed may be replaced (exact paths; only those still in the form are sent). */
  overwrite: string[];
}

export const emptyDraft = (): BuildDraft => ({
  context: '',
  dockerfile: '',
  tags: [''],
  platforms: [],
  buildArgs: [],
  target: '',
  output: 'push',
  dest: '',
  provenance: false,
  sbom: false,
  noCache: false,
  pull: false,
  cacheFrom: '',
  cacheTo: '',
  builder: '',
  distribute: false,
  lanes: {},
  registryCache: true,
  overwrite: [],
});

const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

export function draftToInput(d: BuildDraft): BuildRequestInput {
  const output: BuildRequestInput['output'] =
    d.output === 'oci' || d.output === 'local' ? { type: d.output, dest: d.dest.trim() } : { type: d.output };
  const input: BuildRequestInput = {
    context: d.context.trim(),
    tags: d.tags.map((t) => t.trim()).filter(Boolean),
    platforms: d.platforms,
    buildArgs: d.buildArgs.filter((a) => a.key.trim() !== '').map((a) => ({ key: a.key.trim(), value: a.value })),
    output,
    provenance: d.provenance,
    sbom: d.sbom,
    noCache: d.noCache,
    pull: d.pull,
    cacheFrom: lines(d.cacheFrom),
    cacheTo: lines(d.cacheTo),
  };
  if (d.dockerfile.trim()) input.dockerfile = d.dockerfile.trim();
  if (d.target.trim()) input.target = d.target.trim();
  if (d.builder.trim()) input.builder = d.builder.trim();
  if (d.overwrite.length) input.overwrite = [...d.overwrite];
  return input;
}

/** A past build as the form shows it; a distributed one keeps its nodes. */
export function recordToDraft(record: BuildRecord): BuildDraft {
  const draft = requestToDraft(record.request);
  const d = record.distributed;
  if (!d) return draft;
  return { ...draft, distribute: true, registryCache: d.registryCache, lanes: Object.fromEntries(d.lanes.map((l) => [l.platform, l.node ? `${l.builder}/${l.node}` : l.builder])) };
}

/** A request (a history record's, or one read from a bake file) as the form shows it. */
export function requestToDraft(r: BuildRecord['request']): BuildDraft {
  return {
    context: r.context,
    dockerfile: r.dockerfile ?? '',
    tags: r.tags.length ? [...r.tags] : [''],
    platforms: [...r.platforms],
    buildArgs: r.buildArgs.map((a) => ({ ...a })),
    target: r.target ?? '',
    output: r.output.type,
    dest: r.output.type === 'oci' || r.output.type === 'local' ? r.output.dest : '',
    provenance: r.provenance,
    sbom: r.sbom,
    noCache: r.noCache,
    pull: r.pull,
    cacheFrom: r.cacheFrom.join('\n'),
    cacheTo: r.cacheTo.join('\n'),
    builder: r.builder ?? '',
    distribute: false,
    lanes: {},
    registryCache: true,
    overwrite: [],
  };
}

/** Each ticked platform's target: the form's choice while it is still offered, else the default. */
export function chosenLanes(draft: BuildDraft, builders: readonly BuilderSummary[], preferredBuilder: string | undefined): Array<{ platform: string; option?: TargetOption }> {
  return draft.platforms.map((platform) => {
    const options = targetOptions(builders, platform);
    const option = options.find((o) => o.key === draft.lanes[platform]) ?? defaultTarget(builders, platform, preferredBuilder);
    return option ? { platform, option } : { platform };
  });
}

export const parseDraft = (d: BuildDraft) => buildRequestInput.safeParse(draftToInput(d));
