/**
 * An architecture in a base image's name, seen without asking a registry: the Docker Official
 * Images' per-architecture repositories (`arm64v8/alpine`, `amd64/ubuntu`) and per-architecture
 * tags or names (`…:1.0-x86_64`, `busybox-linux-amd64`). With a registry, the preflight confirms
 * what the image offers; BuildKit itself only notices after the pull (InvalidBaseImagePlatform).
 */
import { rowOfOfficialNamespace } from '../../arch';
import { DEFAULT_REGISTRY, OFFICIAL_PREFIX, parseImageReference, splitReference, type ImageReference } from '../../image-reference';
import { parsePlatform } from '../../platform';
import { findArchWords, referencedVariables } from '../arch';
import type { Rule, RuleContext } from '../context';
import { expandDockerfileWord } from '../expand';
import { isPredefinedArg } from '../predefined-args';
import { editOf } from '../rewrite';
import { buildMachineOnly, stageLabel, symbolicGlobalScope, type StageFacts } from '../stages';

/** A reference as written, split by the image-reference parser: the registry only when the text names it. */
interface WrittenReference {
  ref: ImageReference;
  /** The registry as written, or '' when the name leaves it to Docker Hub (`alpine`, `arm64v8/alpine`). */
  host: string;
  /** The repository path as written: `alpine` where Docker reads `library/alpine`. */
  path: string;
}

function readReference(text: string): WrittenReference | undefined {
  const parsed = parseImageReference(text);
  const written = splitReference(text);
  if (!parsed.ok || !written) return undefined;
  const { ref } = parsed;
  // Docker Hub names may leave out the registry and `library/`; any other text before the repository is the registry.
  const hostWritten = written.name !== ref.repository && `${OFFICIAL_PREFIX}${written.name}` !== ref.repository;
  const host = hostWritten ? written.name.slice(0, written.name.indexOf('/')) : '';
  return { ref, host, path: hostWritten ? written.name.slice(host.length + 1) : written.name };
}

/**
 * The base image as the rule judges it, or undefined when the text alone cannot say which image it is.
 * Variables: a platform arg chooses the image per platform, a pinned ARG is reported at that ARG, and
 * one with no default is given at build time, so none of those is judged here; an ARG with a default
 * is judged by the image its default names (the rewrite then belongs to the ARG, so none is offered).
 */
function resolvedImage(ctx: RuleContext, written: string): string | undefined {
  if (referencedVariables(written).some((n) => ctx.pinned.has(n) || isPredefinedArg(n))) return undefined;
  const expanded = expandDockerfileWord(written, symbolicGlobalScope(ctx.model), ctx.model.escapeChar);
  // A default that names a platform arg stays symbolic (`${TARGETARCH}`): chosen per platform too.
  if (expanded.unresolved.length > 0 || referencedVariables(expanded.value).length > 0) return undefined;
  return expanded.value;
}

/** Why the finding matters; `namespace` for an official per-architecture repository. */
function whyOf(namespace: string | undefined, rewritten: boolean, archArg: string): string {
  if (namespace !== undefined) {
    return `\`${namespace}/…\` repositories hold one architecture only. The image without that prefix is the multi-platform index, from which each build picks its own platform. BuildKit warns only after pulling (InvalidBaseImagePlatform); the base-image check confirms with the registry.`;
  }
  return rewritten
    ? `A per-architecture image name is the same on every platform. If the publisher has one tag per architecture, \`\${${archArg}}\` picks the right one (the base-image check then confirms each exists); if it publishes a multi-platform tag, use that instead.`
    : 'A per-architecture image name is the same on every platform. Use the multi-platform tag of the image, or a per-architecture tag chosen with TARGETARCH.';
}

const DOCKER_HUB = new Set([DEFAULT_REGISTRY, 'registry-1.docker.io']);

function check(ctx: RuleContext, stage: StageFacts): void {
  const info = stage.info;
  if (info.parentStage !== undefined || info.parentCandidates || !info.image || info.image.toLowerCase() === 'scratch') return;
  const image = resolvedImage(ctx, info.image);
  // Not a reference at all: BuildKit refuses it with its own error.
  const written = image === undefined ? undefined : readReference(image);
  if (image === undefined || !written) return;
  const { ref, host, path } = written;
  const literal = info.image === image;
  const hostPrefix = host ? `${host}/` : '';
  const tagSuffix = (tag: string | undefined) => (tag !== undefined ? `:${tag}` : '');
  const [namespace = '', repository = '', ...deeper] = ref.repository.split('/');
  const archArg = buildMachineOnly(ctx.stages, info.index, ctx.chain) || stage.native ? 'BUILDARCH' : 'TARGETARCH';

  let arch: string | undefined;
  let edited: string | undefined;
  let spelled = '';
  // Docker Hub's per-architecture repositories of the official images: `arm64v8/alpine`.
  const official = DOCKER_HUB.has(ref.registry) && deeper.length === 0 && rowOfOfficialNamespace(namespace) !== undefined;
  if (official) {
    spelled = namespace;
    arch = rowOfOfficialNamespace(namespace)?.id;
    edited = `${host ? `${host}/${OFFICIAL_PREFIX}` : ''}${repository}${tagSuffix(ref.tag)}`;
  } else {
    const words = [...findArchWords(path), ...findArchWords(ref.tag ?? '')];
    const arches = new Set(words.map((w) => w.canonical));
    if (arches.size !== 1) return;
    arch = [...arches][0];
    const texts = [...new Set(words.map((w) => w.text))];
    spelled = texts.join(', ');
    if (words.every((w) => w.family === 'docker' && !w.canonical.includes('/')) && literal) {
      const pattern = new RegExp(`(?<![A-Za-z0-9])(${texts.join('|')})(?![A-Za-z0-9])`, 'g');
      const swap = (text: string) => text.replace(pattern, `\${${archArg}}`);
      edited = `${hostPrefix}${swap(path)}${tagSuffix(ref.tag === undefined ? undefined : swap(ref.tag))}`;
    }
  }
  // A digest pins one manifest, that architecture's: rewriting the name around it changes nothing.
  const pinned = ref.digest !== undefined;
  if (pinned) edited = undefined;
  if (!arch) return;
  // A stage pinned (or named) for that platform on purpose: `FROM --platform=linux/arm64 arm64v8/alpine AS build-arm64`.
  const flagArch = info.platformFlag ? parsePlatform(expandDockerfileWord(info.platformFlag, symbolicGlobalScope(ctx.model), ctx.model.escapeChar).value) : undefined;
  if (flagArch && (flagArch.architecture === arch.split('/')[0])) return;
  if (info.name && info.name.includes(arch.split('/')[0] ?? arch)) return;

  const from = stage.model.from;
  const lines = ctx.model.lines.slice(from.line, from.endLine + 1);
  const edits = edited !== undefined && literal && lines.length === 1 && (lines[0] ?? '').includes(image)
    ? [editOf(from, [(lines[0] ?? '').replace(image, edited)])]
    : undefined;
  ctx.findings.push({
    rule: 'arch-in-base-image',
    severity: 'warning',
    line: info.line,
    stageIndex: info.index,
    subject: image,
    buildkitCheck: 'InvalidBaseImagePlatform',
    message: official
      ? `Stage ${stageLabel(info)} uses \`${image}\`, the ${arch}-only repository of an official image: every platform gets the ${arch} base.`
      : `The base image \`${image}\` of stage ${stageLabel(info)} names ${arch} (\`${spelled}\`): every platform gets the same ${arch} image.`,
    why: whyOf(official ? spelled : undefined, edited !== undefined, archArg) + (pinned ? ` The digest pins the ${arch} manifest itself: replace it too, with the multi-platform index's digest or none.` : ''),
    suggestion: edits ? (edits[0]?.text ?? '') : `FROM <the multi-platform ${official ? 'image' : 'tag'}>`,
    ...(edits ? { edits } : {}),
  });
}

export const baseImageArchRule: Rule = {
  reports: ['arch-in-base-image'],
  run(ctx) {
    for (const stage of ctx.stages) check(ctx, stage);
  },
};
