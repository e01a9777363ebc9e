import { outputFlag, resolveDockerfile } from '../build-request/argv';
import type { BuildRequest } from '../build-request/request';
import { credentialReason } from './credentials';
import { relativeInside } from './paths';

/**
 * The bake target equivalent to a build request, as the attributes `docker buildx bake --print`
 * shows, and the docker-bake.hcl text that declares it. The file is meant for the build context
 * folder: `docker buildx bake` run there builds what the app's `docker buildx build` builds.
 */

export const BAKE_FILE = 'docker-bake.hcl';
export const BAKE_TARGET = 'default';

export interface BakeTarget {
  context: string;
  dockerfile: string;
  tags?: string[];
  platforms: string[];
  args?: Record<string, string>;
  target?: string;
  'cache-from'?: string[];
  'cache-to'?: string[];
  attest: string[];
  output: string[];
  'no-cache'?: boolean;
  pull?: boolean;
}

/** Something the export left out or could not carry over as it is, in words. */
export interface ExportNote {
  /** The request field it is about. */
  field: string;
  /** The entry of that field (a build argument's name). */
  item?: string;
  severity: 'refused' | 'warning' | 'info';
  message: string;
}

/** Build arguments that look like credentials: refused by every export. */
export function refusedArgs(request: Pick<BuildRequest, 'buildArgs'>): ExportNote[] {
  const notes: ExportNote[] = [];
  for (const arg of request.buildArgs) {
    const why = credentialReason(arg.key, arg.value);
    if (why) {
      notes.push({
        field: 'buildArgs',
        item: arg.key,
        severity: 'refused',
        message: `Build argument ${arg.key} was left out: ${why}. A file meant to be committed must not hold credentials, and build arguments stay readable in the image history. Pass it as a BuildKit secret (RUN --mount=type=secret,id=${arg.key.toLowerCase()} in the Dockerfile; \`secret\` in bake, \`secrets:\` with \${{ secrets.${arg.key} }} in the workflow).`,
      });
    }
  }
  return notes;
}

/** The Dockerfile relative to the context when it is inside it (portable), else its absolute path. */
export function dockerfileInContext(request: Pick<BuildRequest, 'context' | 'dockerfile'>): { path: string; inside: boolean } {
  const absolute = resolveDockerfile(request);
  const relative = relativeInside(request.context, absolute);
  return relative ? { path: relative, inside: true } : { path: absolute, inside: false };
}

export function bakeTarget(request: BuildRequest): { target: BakeTarget; notes: ExportNote[] } {
  const notes = refusedArgs(request);
  const refused = new Set(notes.map((n) => n.item));
  const dockerfile = dockerfileInContext(request);
  if (!dockerfile.inside) {
    notes.push({ field: 'dockerfile', severity: 'warning', message: `The Dockerfile ${dockerfile.path} is outside the context folder: the bake file names it by its absolute path, which works on this computer only.` });
  }
  const target: BakeTarget = {
    context: '.',
    dockerfile: dockerfile.path,
    platforms: [...request.platforms],
    // Written either way: buildx adds a provenance attestation by default, the app's build says exactly what it wants.
    attest: [request.provenance ? 'type=provenance' : 'type=provenance,disabled=true', request.sbom ? 'type=sbom' : 'type=sbom,disabled=true'],
    output: [outputFlag(request.output)],
  };
  if (request.tags.length) target.tags = [...request.tags];
  const args = request.buildArgs.filter((a) => !refused.has(a.key));
  if (args.length) target.args = Object.fromEntries(args.map((a) => [a.key, a.value]));
  if (request.target) target.target = request.target;
  if (request.cacheFrom.length) target['cache-from'] = [...request.cacheFrom];
  if (request.cacheTo.length) target['cache-to'] = [...request.cacheTo];
  if (request.noCache) target['no-cache'] = true;
  if (request.pull) target.pull = true;
  if ((request.output.type === 'oci' || request.output.type === 'local') && !relativeInside(request.context, request.output.dest)) {
    notes.push({ field: 'output', severity: 'info', message: `The output goes to ${request.output.dest}, an absolute path on this computer, as in the app's build.` });
  }
  return { target, notes };
}

/** One HCL string literal: escapes, and `${`/`%{` doubled so bake takes them literally. */
export function hclString(value: string): string {
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(/([$%])\{/g, (_m, sign: string) => `${sign}${sign}{`);
  return `"${escaped}"`;
}

const ORDER: Array<keyof BakeTarget> = ['context', 'dockerfile', 'target', 'tags', 'platforms', 'args', 'cache-from', 'cache-to', 'attest', 'output', 'no-cache', 'pull'];

const COMMENTS: Partial<Record<keyof BakeTarget, string>> = {
  context: 'The folder this file is in (run `docker buildx bake` from here).',
  attest: 'Attestations as the app built them (buildx would add provenance by default).',
};

/** docker-bake.hcl declaring one target, `default`, so a plain `docker buildx bake` builds it. */
export function renderBakeFile(target: BakeTarget, header: readonly string[]): string {
  const lines = header.map((h) => `# ${h}`.trimEnd());
  lines.push(`target "${BAKE_TARGET}" {`);
  const width = Math.max(...ORDER.filter((k) => target[k] !== undefined && k !== 'args').map((k) => k.length));
  for (const key of ORDER) {
    const value = target[key];
    if (value === undefined) continue;
    const comment = COMMENTS[key];
    if (comment) lines.push(`  # ${comment}`);
    if (key === 'args') {
      lines.push('  args = {');
      for (const [name, v] of Object.entries(value as Record<string, string>)) lines.push(`    ${hclString(name)} = ${hclString(v)}`);
      lines.push('  }');
      continue;
    }
    const pad = key.padEnd(width);
    if (typeof value === 'boolean') lines.push(`  ${pad} = ${value}`);
    else if (typeof value === 'string') lines.push(`  ${pad} = ${hclString(value)}`);
    else {
      const items = (value as string[]).map(hclString);
      const oneLine = `  ${pad} = [${items.join(', ')}]`;
      if (oneLine.length <= 100) lines.push(oneLine);
      else lines.push(`  ${pad} = [`, ...items.map((i) => `    ${i},`), '  ]');
    }
  }
  lines.push('}', '');
  return lines.join('\n');
}
