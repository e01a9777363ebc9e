/**
 * An architecture in a base image's name, seen without asking a registry: the Docker Official
 * Images' per-architecture repositories (`arm64v8/alpine`, `amd64/ubuntu`) and per-architecture
 * tags or names (`…:1.0-x86_64`, `busybox-linux-amd64`). With a registry, the preflight confirms
 * what the image offers; BuildKit itself only notices after the pull (InvalidBaseImagePlatform).
 */
import { rowOfOfficialNamespace } from '../../arch';
import { parsePlatform } from '../../platform';
import { findArchWords, referencedVariables } from '../arch';
import type { Rule, RuleContext } from '../context';
import { expandDockerfileWord } from '../expand';
import { isPredefinedArg } from '../predefined-args';
import { editOf } from '../rewrite';
import { buildMachineOnly, stageLabel, symbolicGlobalScope, type StageFacts } from '../stages';

const isRegistryHost = (part: string) => part.includes('.') || part.includes(':') || part === 'localhost';

function check(ctx: RuleContext, stage: StageFacts): void {
  const info = stage.info;
  if (info.parentStage !== undefined || info.parentCandidates || !info.image || info.image.toLowerCase() === 'scratch') return;
  // A name from a platform arg is chosen per platform; one from a pinned ARG is reported at the ARG.
  if (referencedVariables(info.image).some((n) => ctx.pinned.has(n) || isPredefinedArg(n))) return;
  const image = expandDockerfileWord(info.image, symbolicGlobalScope(ctx.model), ctx.model.escapeChar).value;
  if (referencedVariables(image).length > 0) return;
  const at = image.indexOf('@');
  const ref = at < 0 ? image : image.slice(0, at);
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  const name = colon > slash ? ref.slice(0, colon) : ref;
  const tag = colon > slash ? ref.slice(colon + 1) : '';
  const parts = name.split('/');
  const hostFirst = parts.length > 1 && isRegistryHost(parts[0] ?? '');
  const dockerHub = !hostFirst || /^(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)$/.test(parts[0] ?? '');

  let arch: string | undefined;
  let edited: string | undefined;
  let spelled = '';
  const nsIndex = parts.findIndex((p, i) => (i > 0 || !hostFirst) && i < parts.length - 1 && rowOfOfficialNamespace(p) !== undefined);
  const archArg = buildMachineOnly(ctx.stages, info.index, ctx.chain) || stage.native ? 'BUILDARCH' : 'TARGETARCH';
  if (nsIndex >= 0 && dockerHub) {
    spelled = parts[nsIndex] ?? '';
    arch = rowOfOfficialNamespace(spelled)?.id;
    const rest = [...parts.slice(0, nsIndex), ...(hostFirst && parts.length === 3 ? ['library'] : []), ...parts.slice(nsIndex + 1)];
    edited = `${rest.join('/')}${tag ? `:${tag}` : ''}${at < 0 ? '' : image.slice(at)}`;
  } else {
    const words = [...findArchWords(parts.slice(hostFirst ? 1 : 0).join('/')), ...findArchWords(tag)];
    const arches = new Set(words.map((w) => w.canonical));
    if (arches.size !== 1) return;
    arch = [...arches][0];
    spelled = [...new Set(words.map((w) => w.text))].join(', ');
    if (words.every((w) => w.family === 'docker' && !w.canonical.includes('/')) && info.image === image) {
      edited = image.replace(new RegExp(`(?<![A-Za-z0-9])(${[...new Set(words.map((w) => w.text))].join('|')})(?![A-Za-z0-9])`, 'g'), `\${${archArg}}`);
    }
  }
  if (!arch) return;
  // A stage pinned (or named) for that platform on purpose: `FROM --platform=linux/arm64 arm64v8/alpine AS build-arm64`.
  const flagArch = info.platformFlag ? parsePlatform(expandDockerfileWord(info.platformFlag, symbolicGlobalScope(ctx.model), ctx.model.escapeChar).value) : undefined;
  if (flagArch && (flagArch.architecture === arch.split('/')[0])) return;
  if (info.name && info.name.includes(arch.split('/')[0] ?? arch)) return;

  const from = stage.model.from;
  const lines = ctx.model.lines.slice(from.line, from.endLine + 1);
  const edits = edited !== undefined && info.image === image && lines.length === 1 && (lines[0] ?? '').includes(image)
    ? [editOf(from, [(lines[0] ?? '').replace(image, edited)])]
    : undefined;
  const namespace = nsIndex >= 0 && dockerHub;
  ctx.findings.push({
    rule: 'arch-in-base-image',
    severity: 'warning',
    line: info.line,
    stageIndex: info.index,
    subject: image,
    buildkitCheck: 'InvalidBaseImagePlatform',
    message: namespace
      ? `Stage ${stageLabel(info)} uses \`${image}\`, the ${arch}-only repository of an official image: every platform gets the ${arch} base.`
      : `The base image \`${image}\` of stage ${stageLabel(info)} names ${arch} (\`${spelled}\`): every platform gets the same ${arch} image.`,
    why: namespace
      ? `\`${spelled}/…\` repositories hold one architecture only. The image without that prefix is the multi-platform index, from which each build picks its own platform. BuildKit warns only after pulling (InvalidBaseImagePlatform); the base-image check confirms with the registry.`
      : edited
        ? `A per-architecture image name is the same on every platform. If the publisher has one tag per architecture, \`\${${archArg}}\` picks the right one (the base-image check then confirms each exists); if it publishes a multi-platform tag, use that instead.`
        : 'A per-architecture image name is the same on every platform. Use the multi-platform tag of the image, or a per-architecture tag chosen with TARGETARCH.',
    suggestion: edits ? (edits[0]?.text ?? '') : `FROM <the multi-platform ${namespace ? 'image' : 'tag'}>`,
    ...(edits ? { edits } : {}),
  });
}

export const baseImageArchRule: Rule = {
  reports: ['arch-in-base-image'],
  run(ctx) {
    for (const stage of ctx.stages) check(ctx, stage);
  },
};
