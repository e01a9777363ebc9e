import { checkTagReference, registryOf } from '../build-request/reference';
import { familiarName } from '../image-reference';
import type { BuildRequest } from '../build-request/request';
import { cacheAttributes } from './csv';

/**
 * The registries an exported workflow talks to (the tags', and registry caches'), and how it
 * logs in to each: secrets and variables by name, never a value.
 */
export interface RegistryLogin {
  host: string;
  /** Unreachable from a hosted runner: no login, and a warning. */
  loopback: boolean;
  /** `registry:` input of docker/login-action (none for Docker Hub). */
  registry?: string;
  username: string;
  password: string;
  /** The names the user has to create in the repository settings. */
  needs: string[];
  /** GitHub's own registry: the workflow token can push, given `packages: write`. */
  github: boolean;
}

export const isLoopbackHost = (host: string): boolean => /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$/i.test(host);

/** `registry.example.com:5000` → `REGISTRY_EXAMPLE_COM_5000`: a secret name GitHub accepts. */
export const secretPrefix = (host: string): string => host.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '').replace(/^(\d)/, 'R_$1');

export function loginFor(host: string): RegistryLogin {
  const loopback = isLoopbackHost(host);
  if (host === 'ghcr.io') {
    return { host, loopback, registry: host, username: '${{ github.actor }}', password: '${{ secrets.GITHUB_TOKEN }}', needs: [], github: true };
  }
  if (host === 'docker.io') {
    return { host, loopback, username: '${{ vars.DOCKERHUB_USERNAME }}', password: '${{ secrets.DOCKERHUB_TOKEN }}', needs: ['variable DOCKERHUB_USERNAME', 'secret DOCKERHUB_TOKEN'], github: false };
  }
  const p = secretPrefix(host);
  return { host, loopback, registry: host, username: `\${{ vars.${p}_USERNAME }}`, password: `\${{ secrets.${p}_PASSWORD }}`, needs: [`variable ${p}_USERNAME`, `secret ${p}_PASSWORD`], github: false };
}

/** Registry hosts of the tags and of registry caches, first seen first. */
export function registriesOf(request: Pick<BuildRequest, 'tags' | 'cacheFrom' | 'cacheTo'>): string[] {
  const hosts: string[] = [];
  const add = (ref: string | undefined) => {
    const c = ref ? checkTagReference(ref) : undefined;
    if (c?.ok) {
      const host = registryOf(c.reference);
      if (!hosts.includes(host)) hosts.push(host);
    }
  };
  request.tags.forEach(add);
  for (const spec of [...request.cacheFrom, ...request.cacheTo]) {
    const attrs = cacheAttributes(spec);
    if (attrs?.type === 'registry') add(attrs.ref);
  }
  return hosts;
}

/** `host/team/app:1.0` → `host/team/app` (what push-by-digest names), as the docker CLI prints it. */
export function repositoryOf(tag: string): string {
  const c = checkTagReference(tag);
  if (!c.ok) return tag;
  return familiarName(c.reference.registry, c.reference.repository);
}
