import type { CoreContext } from '../context';
import { DockerCredentials } from './credentials';
import { ImageInspector } from './image-inspector';
import { createHttpTransport } from './http-transport';
import { InsecureRegistries, type EngineRegistryConfig } from './insecure-registries';
import { ProxyAgents } from './proxy';
import { RegistryClient } from './registry-client';
import { SmokeRunner } from './smoke-runner';

export interface ImagesServiceOptions {
  /** Where DOCKER_CONFIG, PATH (credential helpers) and HTTPS_PROXY / HTTP_PROXY / NO_PROXY come from. */
  env: Record<string, string | undefined>;
  homeDir: string;
}

/**
 * The images domain: registry inspection and smoke runs. Built once by the composition root; other
 * domains reuse `inspector` (e.g. `inspector.listPlatforms(baseImage)` for a Dockerfile preflight,
 * cached per digest) rather than talking to registries themselves.
 */
export interface ImagesService {
  readonly credentials: DockerCredentials;
  readonly registry: RegistryClient;
  readonly inspector: ImageInspector;
  readonly smoke: SmokeRunner;
}

export function createImagesService(context: Pick<CoreContext, 'engine' | 'log' | 'cli'>, options: ImagesServiceOptions): ImagesService {
  const credentials = new DockerCredentials({ env: options.env, homeDir: options.homeDir, gate: context.cli.commands });
  const insecure = new InsecureRegistries(async () => {
    const info = (await context.engine.client().info()) as { RegistryConfig?: EngineRegistryConfig };
    return info.RegistryConfig;
  });
  const proxies = new ProxyAgents(options.env);
  const registry = new RegistryClient({
    credentials,
    allowsPlainHttp: (r) => insecure.allowsPlainHttp(r),
    transport: createHttpTransport((url) => proxies.for(url)),
    proxyFor: (url) => proxies.proxyFor(url),
  });
  const inspector = new ImageInspector(registry);
  const smoke = new SmokeRunner({ docker: () => context.engine.client(), credentials, log: (m) => context.log(m) });
  return { credentials, registry, inspector, smoke };
}
